using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Opskit.Edge.Caching;

namespace Opskit.Edge.Http;

/// <summary>
/// Answers a <c>Range</c> request from a complete stored 200 (RFC 9110 §14): one satisfiable range is a 206 with
/// <c>Content-Range</c>, several are a <c>multipart/byteranges</c> 206, none satisfiable is a 416. <c>If-Range</c>
/// that does not match (strong ETag comparison, or a date equal to <c>Last-Modified</c>) gets the whole 200.
/// A header that is not a valid bytes range set, or has more than <see cref="MaxRanges"/> ranges, is ignored.
/// </summary>
internal static class RangeResponse
{
    private const int MaxRanges = 16;

    /// <summary>The response being written, or null when the whole object should be served.</summary>
    public static Task? TryServe(HttpContext context, CachedObject item, bool isHead)
    {
        var request = context.Request.Headers;
        if (request.Range.Count != 1 || !IfRangeMatches(request.IfRange, item))
        {
            return null;
        }

        var length = item.Body.Length;
        Span<(long First, long Last)> ranges = stackalloc (long, long)[MaxRanges];
        if (!TryParse(request.Range[0], length, ranges, out var count, out var anySatisfiable))
        {
            return null;
        }

        var response = context.Response;
        if (!anySatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers.ContentRange = $"bytes */{length}";
            response.Headers.ContentType = default;
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status206PartialContent;
        if (count == 1)
        {
            var (first, last) = ranges[0];
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {first}-{last}/{length}");
            response.ContentLength = last - first + 1;
            return isHead ? Task.CompletedTask : response.Body.WriteAsync(item.Body, (int)first, (int)(last - first + 1), context.RequestAborted);
        }

        var boundary = "opskit-" + Guid.NewGuid().ToString("N");
        var contentType = response.Headers.ContentType.ToString();
        using var body = new MemoryStream();
        for (var i = 0; i < count; i++)
        {
            var (first, last) = ranges[i];
            var part = new StringBuilder().Append("\r\n--").Append(boundary).Append("\r\n");
            if (contentType.Length > 0)
            {
                part.Append("Content-Type: ").Append(contentType).Append("\r\n");
            }

            part.Append(CultureInfo.InvariantCulture, $"Content-Range: bytes {first}-{last}/{length}\r\n\r\n");
            body.Write(Encoding.ASCII.GetBytes(part.ToString()));
            body.Write(item.Body, (int)first, (int)(last - first + 1));
        }

        body.Write(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"));
        response.Headers.ContentType = $"multipart/byteranges; boundary={boundary}";
        response.ContentLength = body.Length;
        return isHead ? Task.CompletedTask : response.Body.WriteAsync(body.GetBuffer(), 0, (int)body.Length, context.RequestAborted);
    }

    /// <summary>Parses <c>bytes=a-b, c-, -n</c> against a representation of <paramref name="length"/> bytes.</summary>
    internal static bool TryParse(ReadOnlySpan<char> header, long length, Span<(long First, long Last)> ranges, out int count, out bool anySatisfiable)
    {
        count = 0;
        anySatisfiable = false;
        header = header.Trim();
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        header = header[6..];
        foreach (var part in header.Split(','))
        {
            var spec = header[part].Trim(" \t");
            if (spec.IsEmpty)
            {
                continue;
            }

            var dash = spec.IndexOf('-');
            if (dash < 0 || count == ranges.Length)
            {
                return false;
            }

            var left = spec[..dash].Trim(" \t");
            var right = spec[(dash + 1)..].Trim(" \t");
            long first, last;
            if (left.IsEmpty)
            {
                // Suffix range: the last N bytes.
                if (!CacheDirectives.TryDelta(right, out var suffix))
                {
                    return false;
                }

                if (suffix == 0 || length == 0)
                {
                    continue;
                }

                first = Math.Max(0, length - suffix);
                last = length - 1;
            }
            else
            {
                if (!CacheDirectives.TryDelta(left, out first))
                {
                    return false;
                }

                if (right.IsEmpty)
                {
                    last = length - 1;
                }
                else if (!CacheDirectives.TryDelta(right, out last) || last < first)
                {
                    return false;
                }

                if (first >= length)
                {
                    continue; // Unsatisfiable alone; others may still be.
                }

                last = Math.Min(last, length - 1);
            }

            ranges[count++] = (first, last);
            anySatisfiable = true;
        }

        return true;
    }

    private static bool IfRangeMatches(Microsoft.Extensions.Primitives.StringValues ifRange, CachedObject item)
    {
        if (ifRange.Count == 0)
        {
            return true;
        }

        var value = ifRange.ToString().Trim();
        if (value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal))
        {
            // Strong comparison: a weak validator never matches (RFC 9110 §13.1.5).
            return item.ETag is { } etag && !etag.StartsWith("W/", StringComparison.Ordinal) && string.Equals(etag, value, StringComparison.Ordinal);
        }

        return item.LastModified is { } lastModified && CachePolicy.ParseHttpDate(value) is { } date && date == lastModified;
    }
}
