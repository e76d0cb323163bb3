using Microsoft.AspNetCore.Http;

namespace Opskit.Edge.Caching;

/// <summary>
/// The cache key: method + normalized Accept-Encoding + host + path and query, written into a caller's buffer
/// (no allocation on lookups). HEAD uses the GET object, as in Varnish, so the method part is always <c>G</c>;
/// Accept-Encoding is normalized to "gzip or not" (<c>g</c>/<c>-</c>), which is what Varnish's gzip support keys on.
/// </summary>
internal static class CacheKey
{
    public const int MaxLength = 4096;

    /// <summary>Writes the key; false when it does not fit (such requests are passed, not cached).</summary>
    public static bool TryWrite(Span<char> destination, bool acceptsGzip, ReadOnlySpan<char> host, ReadOnlySpan<char> path, ReadOnlySpan<char> query, out int written)
    {
        written = 0;
        var length = 2 + host.Length + path.Length + query.Length;
        if (length > destination.Length)
        {
            return false;
        }

        destination[0] = 'G';
        destination[1] = acceptsGzip ? 'g' : '-';
        host.CopyTo(destination[2..]);
        var at = 2 + host.Length;
        path.CopyTo(destination[at..]);
        at += path.Length;
        query.CopyTo(destination[at..]);
        written = length;
        return true;
    }

    public static string Create(bool acceptsGzip, string host, string pathAndQuery) => string.Concat(acceptsGzip ? "Gg" : "G-", host, pathAndQuery);

    /// <summary>True when the client accepts gzip (a <c>gzip</c> coding with a non-zero q).</summary>
    public static bool AcceptsGzip(IHeaderDictionary headers)
    {
        var values = headers.AcceptEncoding;
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i].AsSpan();
            while (!value.IsEmpty)
            {
                var comma = value.IndexOf(',');
                var item = (comma < 0 ? value : value[..comma]).Trim();
                value = comma < 0 ? default : value[(comma + 1)..];
                var semicolon = item.IndexOf(';');
                var coding = (semicolon < 0 ? item : item[..semicolon]).Trim();
                if (coding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
                {
                    var parameters = semicolon < 0 ? default : item[(semicolon + 1)..].Trim();
                    return !parameters.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                        || !double.TryParse(parameters[2..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q)
                        || q > 0;
                }
            }
        }

        return false;
    }
}
