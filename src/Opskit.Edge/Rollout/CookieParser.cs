namespace Opskit.Edge.Rollout;

/// <summary>
/// Finds one cookie in the <c>Cookie</c> request headers (RFC 6265 §5.4 syntax, tolerant of what browsers and
/// old clients really send). Pure and allocation-free: the result is a slice of the header value.
/// </summary>
internal static class CookieParser
{
    /// <summary>Longest cookie value accepted as a user id; longer values count as no cookie.</summary>
    public const int DefaultMaxValueLength = 128;

    /// <summary>
    /// Looks for <paramref name="name"/> in one header value. The first pair with that name decides: when its
    /// value is empty or longer than <paramref name="maxValueLength"/> the result is <see cref="CookieLookup.Unusable"/>
    /// (a later duplicate never overrides it, as browsers send the most specific cookie first).
    /// </summary>
    public static CookieLookup TryFind(ReadOnlySpan<char> header, ReadOnlySpan<char> name, int maxValueLength, out ReadOnlySpan<char> value)
    {
        value = default;
        while (!header.IsEmpty)
        {
            var end = header.IndexOf(';');
            var pair = end < 0 ? header : header[..end];
            header = end < 0 ? default : header[(end + 1)..];

            pair = TrimSpaces(pair);
            var equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                continue; // "flag" without a value, or "=x": not a named pair.
            }

            if (!TrimSpaces(pair[..equals]).SequenceEqual(name))
            {
                continue;
            }

            var raw = TrimSpaces(pair[(equals + 1)..]);
            if (raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"')
            {
                raw = raw[1..^1];
            }

            if (raw.IsEmpty || raw.Length > maxValueLength)
            {
                return CookieLookup.Unusable;
            }

            value = raw;
            return CookieLookup.Found;
        }

        return CookieLookup.Absent;
    }

    /// <summary>Same as the single-header overload over several <c>Cookie</c> headers, in the order received.</summary>
    public static CookieLookup TryFind(
        Microsoft.Extensions.Primitives.StringValues headers, ReadOnlySpan<char> name, int maxValueLength, out ReadOnlySpan<char> value)
    {
        value = default;
        var count = headers.Count;
        for (var i = 0; i < count; i++)
        {
            var result = TryFind(headers[i].AsSpan(), name, maxValueLength, out value);
            if (result != CookieLookup.Absent)
            {
                return result;
            }
        }

        return CookieLookup.Absent;
    }

    private static ReadOnlySpan<char> TrimSpaces(ReadOnlySpan<char> s) => s.Trim(" \t");
}

/// <summary>Outcome of a cookie lookup.</summary>
public enum CookieLookup
{
    /// <summary>No cookie of that name.</summary>
    Absent,

    /// <summary>The first cookie of that name has a usable value.</summary>
    Found,

    /// <summary>The first cookie of that name is empty or too long: treated as no cookie.</summary>
    Unusable,
}
