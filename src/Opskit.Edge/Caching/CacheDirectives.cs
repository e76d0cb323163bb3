using Microsoft.Extensions.Primitives;

namespace Opskit.Edge.Caching;

/// <summary>
/// The directives of a <c>Cache-Control</c> (or targeted <c>CDN-Cache-Control</c>) response field, parsed as
/// RFC 9111 §5.2 says: names case-insensitive, values as token or quoted-string, delta-seconds larger than 2^31
/// capped at 2^31 (§1.2.2). A directive whose value is invalid (negative, single-quoted, a fraction) or given twice
/// with different values is marked <see cref="InvalidFreshness"/>: the response counts as stale (§4.2.1).
/// Never throws; unknown directives are ignored.
/// </summary>
internal struct CacheDirectives
{
    private const long MaxDelta = 2147483648;

    public long? MaxAge;
    public long? SMaxAge;
    public long? StaleWhileRevalidate;
    public long? StaleIfError;
    public bool NoStore;
    public bool NoCache;
    public bool Private;
    public bool MustRevalidate;
    public bool ProxyRevalidate;
    public bool MustUnderstand;
    public bool Public;
    public bool InvalidFreshness;

    /// <summary>Field names of <c>no-cache="…"</c> and <c>private="…"</c>: stored without those fields.</summary>
    public List<string>? OmittedFields;

    /// <summary>True when at least one directive was recognised (a targeted field with none is ignored).</summary>
    public bool Any;

    /// <summary>
    /// Not a valid Structured Field dictionary (RFC 8941), which a targeted field must be (RFC 9213 §2.1): a key
    /// with other characters than <c>a-z0-9_-.*</c>, or a non-integer (e.g. quoted) <c>max-age</c>/<c>s-maxage</c>.
    /// </summary>
    public bool NotStructured;

    public static CacheDirectives Parse(StringValues lines)
    {
        var result = default(CacheDirectives);
        for (var i = 0; i < lines.Count; i++)
        {
            result.ParseLine(lines[i].AsSpan());
        }

        return result;
    }

    public static CacheDirectives Parse(ReadOnlySpan<char> line)
    {
        var result = default(CacheDirectives);
        result.ParseLine(line);
        return result;
    }

    private void ParseLine(ReadOnlySpan<char> s)
    {
        var at = 0;
        while (at < s.Length)
        {
            while (at < s.Length && (s[at] is ',' or ' ' or '\t'))
            {
                at++;
            }

            var nameStart = at;
            while (at < s.Length && s[at] is not ('=' or ',' or ' ' or '\t' or ';'))
            {
                at++;
            }

            var name = s[nameStart..at];
            while (at < s.Length && s[at] is ' ' or '\t')
            {
                at++;
            }

            ReadOnlySpan<char> value = default;
            var hasValue = false;
            var quoted = false;
            string? unescaped = null;
            if (at < s.Length && s[at] == '=')
            {
                hasValue = true;
                at++;
                while (at < s.Length && s[at] is ' ' or '\t')
                {
                    at++;
                }

                if (at < s.Length && s[at] == '"')
                {
                    quoted = true;
                    at++;
                    var start = at;
                    var escaped = false;
                    while (at < s.Length && s[at] != '"')
                    {
                        escaped |= s[at] == '\\';
                        at += s[at] == '\\' && at + 1 < s.Length ? 2 : 1;
                    }

                    value = s[start..Math.Min(at, s.Length)];
                    if (escaped)
                    {
                        unescaped = Unescape(value);
                        value = unescaped;
                    }

                    at = Math.Min(at + 1, s.Length);
                }
                else
                {
                    var start = at;
                    while (at < s.Length && s[at] is not (',' or ' ' or '\t' or ';'))
                    {
                        at++;
                    }

                    value = s[start..at];
                }
            }

            // Skip to the next directive (parameters after ';' in a structured field, or junk).
            while (at < s.Length && s[at] != ',')
            {
                if (s[at] == '"')
                {
                    at++;
                    while (at < s.Length && s[at] != '"')
                    {
                        at += s[at] == '\\' ? 2 : 1;
                    }
                }

                at++;
            }

            if (!name.IsEmpty)
            {
                NotStructured |= !IsStructuredKey(name)
                    || ((name.Equals("max-age", StringComparison.OrdinalIgnoreCase) || name.Equals("s-maxage", StringComparison.OrdinalIgnoreCase))
                        && (quoted || !TryDelta(value, out _)));
                Apply(name, hasValue, quoted, value);
            }
            else if (at < s.Length || nameStart < s.Length)
            {
                NotStructured = true;
            }
        }
    }

    private void Apply(ReadOnlySpan<char> name, bool hasValue, bool quoted, ReadOnlySpan<char> value)
    {
        if (name.Equals("max-age", StringComparison.OrdinalIgnoreCase))
        {
            Delta(ref MaxAge, hasValue, value);
        }
        else if (name.Equals("s-maxage", StringComparison.OrdinalIgnoreCase))
        {
            Delta(ref SMaxAge, hasValue, value);
        }
        else if (name.Equals("stale-while-revalidate", StringComparison.OrdinalIgnoreCase))
        {
            StaleWhileRevalidate = TryDelta(value, out var d) ? d : StaleWhileRevalidate;
        }
        else if (name.Equals("stale-if-error", StringComparison.OrdinalIgnoreCase))
        {
            StaleIfError = TryDelta(value, out var d) ? d : StaleIfError;
        }
        else if (name.Equals("no-store", StringComparison.OrdinalIgnoreCase))
        {
            NoStore = true;
        }
        else if (name.Equals("no-cache", StringComparison.OrdinalIgnoreCase))
        {
            if (hasValue && quoted && !value.Trim().IsEmpty)
            {
                AddFields(value);
            }
            else
            {
                NoCache = true;
            }
        }
        else if (name.Equals("private", StringComparison.OrdinalIgnoreCase))
        {
            if (hasValue && quoted && !value.Trim().IsEmpty)
            {
                AddFields(value);
            }
            else
            {
                Private = true;
            }
        }
        else if (name.Equals("must-revalidate", StringComparison.OrdinalIgnoreCase))
        {
            MustRevalidate = true;
        }
        else if (name.Equals("proxy-revalidate", StringComparison.OrdinalIgnoreCase))
        {
            ProxyRevalidate = true;
        }
        else if (name.Equals("must-understand", StringComparison.OrdinalIgnoreCase))
        {
            MustUnderstand = true;
        }
        else if (name.Equals("public", StringComparison.OrdinalIgnoreCase))
        {
            Public = true;
        }
        else
        {
            return;
        }

        Any = true;
    }

    private void Delta(ref long? slot, bool hasValue, ReadOnlySpan<char> value)
    {
        if (!hasValue || !TryDelta(value, out var seconds))
        {
            InvalidFreshness = true;
            return;
        }

        if (slot is { } previous && previous != seconds)
        {
            InvalidFreshness = true;
        }

        slot = seconds;
    }

    private static bool IsStructuredKey(ReadOnlySpan<char> name)
    {
        if (!(char.IsAsciiLetterLower(name[0]) || name[0] == '*'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '.' or '*'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>delta-seconds: one or more digits, nothing else (RFC 9111 §1.2.2).</summary>
    public static bool TryDelta(ReadOnlySpan<char> value, out long seconds)
    {
        seconds = 0;
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            seconds = Math.Min(MaxDelta, (seconds * 10) + (c - '0'));
        }

        return true;
    }

    private void AddFields(ReadOnlySpan<char> list)
    {
        OmittedFields ??= [];
        foreach (var range in list.Split(','))
        {
            var field = list[range].Trim();
            if (!field.IsEmpty)
            {
                OmittedFields.Add(field.ToString());
            }
        }
    }

    private static string Unescape(ReadOnlySpan<char> value)
    {
        var chars = new char[value.Length];
        var n = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            chars[n++] = value[i];
        }

        return new string(chars, 0, n);
    }
}
