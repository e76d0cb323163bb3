using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Opskit.Cluster.Http;

/// <summary>
/// A request body read into a pooled buffer under the size limit and parsed as JSON. Dispose returns the
/// buffer (the document points into it).
/// </summary>
internal sealed class JsonRequest : IDisposable
{
    private byte[]? _buffer;

    private JsonRequest(byte[] buffer, JsonDocument document)
    {
        _buffer = buffer;
        Document = document;
    }

    public JsonDocument Document { get; }

    public JsonElement Root => Document.RootElement;

    public static async Task<(JsonRequest? Request, IResult? Error)> ReadAsync(HttpContext context, long maxBytes)
    {
        // As TEI (axum's Json extractor): no content type is refused like a wrong one. Routing refuses a wrong
        // one (the endpoints declare application/json) but lets a missing one through.
        if (string.IsNullOrEmpty(context.Request.ContentType))
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", "the body must be JSON: send the header 'Content-Type: application/json' (got none)"));
        }

        var declared = context.Request.ContentLength;
        if (declared > maxBytes)
        {
            return (null, Problems.TooLarge("body", $"the body has {declared} bytes; the limit is {maxBytes}"));
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(declared ?? 16 * 1024, 256), maxBytes + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (null, Problems.TooLarge("body", $"the body is over the limit of {maxBytes} bytes"));
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, Problems.TooLarge("body", $"the body is over the limit of {maxBytes} bytes"));
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, Problems.TooLarge("body", $"the body is over the limit of {maxBytes} bytes"));
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel refused the upload (408: the body came slower than its minimum data rate; 400: bad framing).
            // The client's doing: answered here (ClientErrors logs it at debug), never an unhandled error with a stack trace.
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, Problems.Create(ex.StatusCode, ex.StatusCode == StatusCodes.Status408RequestTimeout ? "Request timeout" : "Bad request", $"the body could not be read: {ex.Message}", "body"));
        }

        try
        {
            var document = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                ArrayPool<byte>.Shared.Return(buffer);
                return (null, Problems.BadField("body", "the body must be a JSON object"));
            }

            return (new JsonRequest(buffer, document), null);
        }
        catch (JsonException ex)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, Problems.BadField("body", InvalidJson(ex)));
        }
    }

    /// <summary>
    /// The parser's complaint in our words, with one-based line and byte positions (System.Text.Json counts from
    /// zero and appends <c>Path: … | LineNumber: 0 | BytePositionInLine: 5.</c>, .NET wording a client cannot use).
    /// </summary>
    internal static string InvalidJson(JsonException ex)
    {
        var reason = ex.Message;
        var cut = reason.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = reason.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        reason = (cut >= 0 ? reason[..cut] : reason).TrimEnd(' ', '.', '|');
        if (reason.Length > 0 && char.IsUpper(reason[0]) && !(reason.Length > 1 && char.IsUpper(reason[1])))
        {
            reason = char.ToLowerInvariant(reason[0]) + reason[1..];
        }

        var where = ex.LineNumber is { } line && ex.BytePositionInLine is { } position
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" at line {line + 1}, byte {position + 1}")
            : string.Empty;
        return $"the body is not valid JSON{where}: {reason}";
    }

    public void Dispose()
    {
        Document.Dispose();
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
