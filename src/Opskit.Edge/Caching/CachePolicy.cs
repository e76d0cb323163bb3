using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Opskit.Edge.Caching;

/// <summary>Lifetime of a cacheable response: fresh for <see cref="Ttl"/>, then served stale (with a refresh) for
/// <see cref="Grace"/>, then kept for <see cref="Keep"/> to answer when the upstream fails.</summary>
internal readonly record struct CacheLifetime(bool Cacheable, TimeSpan Ttl, TimeSpan Grace, TimeSpan Keep, string? Reason);

/// <summary>
/// Decides whether and how long a backend response is cached, the way Varnish 7 does it
/// (<c>bin/varnishd/cache/cache_rfc2616.c</c> plus the builtin VCL's <c>vcl_backend_response</c>), with RFC 9111's
/// parsing: only the statuses Varnish caches; TTL from the first targeted field present (<c>Opskit-Cache-Control</c>, <c>CDN-Cache-Control</c> by default; RFC 9213),
/// else <c>s-maxage</c>, then <c>max-age</c>, then <c>Expires</c> relative to <c>Date</c>, each minus <c>Age</c>, else
/// the default; <c>no-store</c>, <c>no-cache</c>, <c>private</c>, <c>Set-Cookie</c>, <c>Vary: *</c>, an invalid
/// freshness directive and a zero TTL make the response uncacheable. Grace comes from <c>stale-while-revalidate</c>
/// and keep from <c>stale-if-error</c> when present. The headers are the origin's, unparsed (byte for byte).
/// </summary>
internal static class CachePolicy
{
    // Without the weekday, which recipients need not check (a wrong one must not void the date).
    private static readonly string[] HttpDateFormats =
    [
        "dd MMM yyyy HH:mm:ss 'GMT'",    // IMF-fixdate
        "dd-MMM-yy HH:mm:ss 'GMT'",      // obsolete RFC 850
        "MMM  d HH:mm:ss yyyy",          // obsolete asctime (day padded with a space)
        "MMM dd HH:mm:ss yyyy",
    ];

    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is the most recent past year with those digits.
    private static readonly CultureInfo DateCulture = CreateDateCulture();

    /// <summary>Statuses Varnish gives a TTL to; every other status is not cached.</summary>
    public static bool IsCacheableStatus(int status) => status is 200 or 203 or 204 or 300 or 301 or 302 or 304 or 307 or 308 or 404 or 410 or 414;

    /// <summary>
    /// Statuses cached with explicit freshness only (<c>max-age</c>, <c>s-maxage</c>, <c>Expires</c>), as RFC 9111
    /// §3 allows for any status; heuristically cacheable ones (RFC 9110 §15.1: 405, 501) too. 5xx other than 501 are
    /// not, because the edge treats them as failures (stale-if-error, grace).
    /// </summary>
    private static bool IsCacheableWithExplicitFreshness(int status) => status is >= 200 and < 500 and not 206 and not 304 || status == 501;

    /// <summary>Statuses whose caching rules this cache understands (for <c>must-understand</c>, RFC 9111 §5.2.2.3).</summary>
    private static bool IsUnderstoodStatus(int status) => IsCacheableStatus(status) || status is 206 or 405 or 501;

    public static CacheLifetime Decide(int status, IReadOnlyList<KeyValuePair<string, StringValues>> headers, CacheDefaults defaults, DateTimeOffset now)
    {
        var control = CacheDirectives.Parse(Get(headers, "Cache-Control"));
        var targetedFields = defaults.EffectiveTargetedFields;
        for (var i = 0; i < targetedFields.Count; i++)
        {
            // RFC 9213 §2.1-2.2: the first valid targeted field of this cache's list replaces Cache-Control for it; an
            // empty or invalid one is ignored as if absent.
            var targeted = CacheDirectives.Parse(Get(headers, targetedFields[i]));
            if (targeted.Any && !targeted.NotStructured)
            {
                control = targeted;
                break;
            }
        }

        if (control.MustUnderstand && !IsUnderstoodStatus(status))
        {
            return Uncacheable("must-understand with a status not understood");
        }

        var explicitFreshness = control.MaxAge is not null || control.SMaxAge is not null || Get(headers, "Expires").Count != 0;
        // 405 and 501 are heuristically cacheable too (RFC 9110 §15.1), so they get the default TTL like Varnish's list.
        if (!IsCacheableStatus(status) && status is not (405 or 501) && !(explicitFreshness && IsCacheableWithExplicitFreshness(status)))
        {
            return Uncacheable($"status {status}");
        }

        if (Get(headers, "Set-Cookie").Count != 0)
        {
            return Uncacheable("Set-Cookie");
        }

        if (HasToken(Get(headers, "Vary"), "*"))
        {
            return Uncacheable("Vary: *");
        }

        // must-understand with a status we understand overrides no-store (RFC 9111 §5.2.2.3).
        if ((control.NoStore && !control.MustUnderstand) || control.Private)
        {
            return Uncacheable("Cache-Control");
        }

        if (control.NoCache)
        {
            // Stored, but never used without revalidation (RFC 9111 §5.2.2.4): only worth it with a validator.
            return Get(headers, "ETag").Count != 0 || Get(headers, "Last-Modified").Count != 0
                ? new CacheLifetime(true, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, "no-cache: revalidate on every use")
                : Uncacheable("no-cache without a validator");
        }

        if (control.InvalidFreshness)
        {
            return Uncacheable("invalid freshness directive (stale, RFC 9111 §4.2.1)");
        }

        var age = TimeSpan.FromSeconds(ParseAge(Get(headers, "Age")));
        TimeSpan ttl;
        if (control.SMaxAge is { } sMaxAge)
        {
            ttl = TimeSpan.FromSeconds(sMaxAge) - age;
        }
        else if (control.MaxAge is { } maxAge)
        {
            ttl = TimeSpan.FromSeconds(maxAge) - age;
        }
        else if (Get(headers, "Expires") is { Count: > 0 } expiresValues)
        {
            // Expires relative to the origin's own Date, so that clock skew between origin and proxy does not matter.
            var expires = ParseHttpDate(expiresValues[0]);
            var date = ParseHttpDate(Get(headers, "Date").ToString());
            ttl = expires is null ? TimeSpan.Zero // An invalid Expires means "already expired" (RFC 9111 §5.3).
                : date is null ? expires.Value - now - age
                : expires.Value - date.Value - age;
        }
        else
        {
            ttl = defaults.DefaultTtl;
        }

        if (ttl <= TimeSpan.Zero)
        {
            return Uncacheable("expired on arrival");
        }

        var grace = control.StaleWhileRevalidate is { } swr ? TimeSpan.FromSeconds(swr) : defaults.DefaultGrace;
        var keep = control.StaleIfError is { } sie ? TimeSpan.FromSeconds(sie) : defaults.DefaultKeep;
        if (control.MustRevalidate || control.ProxyRevalidate)
        {
            grace = TimeSpan.Zero; // Never served stale (RFC 9111 §5.2.2.2, §5.2.2.8).
            keep = TimeSpan.Zero;
        }

        return new CacheLifetime(true, ttl, grace, keep, null);
    }

    /// <summary>
    /// The Age field: the first value, delta-seconds only; anything else (negative, fraction, junk) is ignored as
    /// invalid (RFC 9111 §5.1), a value above 2^31 is 2^31.
    /// </summary>
    public static long ParseAge(StringValues values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var first = values[0].AsSpan();
        var comma = first.IndexOf(',');
        var item = (comma < 0 ? first : first[..comma]).Trim(" \t");
        return CacheDirectives.TryDelta(item, out var seconds) ? seconds : 0;
    }

    /// <summary>An HTTP-date in any of the three formats RFC 9110 §5.6.7 says recipients must accept.</summary>
    public static DateTimeOffset? ParseHttpDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var trimmed = value.Trim();
        if (trimmed.EndsWith(" gmt", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = string.Concat(trimmed.AsSpan(0, trimmed.Length - 3), "GMT"); // Time zone case is not significant.
        }

        // Drop the weekday ("Sun, ", "Sunday, ", "Sun ").
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !char.IsAsciiLetter(trimmed[0]))
        {
            return null;
        }

        var rest = trimmed[(space + 1)..];
        var comma = trimmed[space - 1] == ',';
        // IMF-fixdate and RFC 850 have a comma after the weekday and a digit next; asctime neither.
        return DateTimeOffset.TryParseExact(rest, HttpDateFormats, DateCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            && (comma ? char.IsAsciiDigit(rest[0]) : char.IsAsciiLetter(rest[0]))
            ? parsed : null;
    }

    private static CultureInfo CreateDateCulture()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.DateTimeFormat.Calendar.TwoDigitYearMax = DateTime.UtcNow.Year + 50;
        return culture;
    }

    public static StringValues Get(IReadOnlyList<KeyValuePair<string, StringValues>> headers, string name)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            if (string.Equals(headers[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return headers[i].Value;
            }
        }

        return StringValues.Empty;
    }

    /// <summary>True when a comma-separated list field contains <paramref name="token"/> (case-insensitive).</summary>
    public static bool HasToken(StringValues values, string token)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var list = values[i].AsSpan();
            foreach (var range in list.Split(','))
            {
                if (list[range].Trim(" \t").Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static CacheLifetime Uncacheable(string reason) => new(false, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, reason);
}
