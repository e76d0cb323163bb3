using System.Globalization;
using System.Net.Http.Headers;

namespace Opskit.Edge.Caching;

/// <summary>Lifetime of a cacheable response: fresh for <see cref="Ttl"/>, then served stale (with a refresh) for
/// <see cref="Grace"/>, then kept for <see cref="Keep"/> to answer when the upstream fails.</summary>
internal readonly record struct CacheLifetime(bool Cacheable, TimeSpan Ttl, TimeSpan Grace, TimeSpan Keep, string? Reason);

/// <summary>
/// Decides whether and how long a backend response is cached, the way Varnish 7 does it
/// (<c>bin/varnishd/cache/cache_rfc2616.c</c> plus the builtin VCL's <c>vcl_backend_response</c>):
/// only the statuses Varnish caches; TTL from <c>s-maxage</c>, then <c>max-age</c>, then <c>Expires</c> relative to
/// <c>Date</c>, each minus <c>Age</c>, else the default; <c>no-store</c>, <c>no-cache</c>, <c>private</c>,
/// <c>Set-Cookie</c>, <c>Vary: *</c> and a zero TTL make the response uncacheable. Grace comes from
/// <c>stale-while-revalidate</c> and keep from <c>stale-if-error</c> when present.
/// </summary>
internal static class CachePolicy
{
    /// <summary>Statuses Varnish gives a TTL to; every other status is not cached.</summary>
    public static bool IsCacheableStatus(int status) => status is 200 or 203 or 204 or 300 or 301 or 302 or 304 or 307 or 308 or 404 or 410 or 414;

    public static CacheLifetime Decide(HttpResponseMessage response, CacheDefaults defaults, DateTimeOffset now)
    {
        var status = (int)response.StatusCode;
        var headers = response.Headers;
        var contentHeaders = response.Content.Headers;
        if (!IsCacheableStatus(status))
        {
            return Uncacheable($"status {status}");
        }

        if (headers.Contains("Set-Cookie"))
        {
            return Uncacheable("Set-Cookie");
        }

        if (headers.Vary.Contains("*"))
        {
            return Uncacheable("Vary: *");
        }

        var control = headers.CacheControl;
        if (control is not null && (control.NoStore || control.NoCache || control.Private))
        {
            return Uncacheable("Cache-Control");
        }

        var age = headers.Age ?? TimeSpan.Zero;
        TimeSpan ttl;
        if (control?.SharedMaxAge is { } sMaxAge)
        {
            ttl = sMaxAge - age;
        }
        else if (control?.MaxAge is { } maxAge)
        {
            ttl = maxAge - age;
        }
        else if (contentHeaders.TryGetValues("Expires", out var expiresValues))
        {
            // Expires relative to the origin's own Date, so that clock skew between origin and proxy does not matter.
            var expires = ParseHttpDate(expiresValues);
            var date = headers.Date;
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

        var grace = Extension(control, "stale-while-revalidate") ?? defaults.DefaultGrace;
        var keep = Extension(control, "stale-if-error") ?? defaults.DefaultKeep;
        return new CacheLifetime(true, ttl, grace, keep, null);
    }

    private static CacheLifetime Uncacheable(string reason) => new(false, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, reason);

    private static TimeSpan? Extension(CacheControlHeaderValue? control, string name)
    {
        if (control is null)
        {
            return null;
        }

        foreach (var extension in control.Extensions)
        {
            if (string.Equals(extension.Name, name, StringComparison.OrdinalIgnoreCase)
                && long.TryParse(extension.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }
        }

        return null;
    }

    private static DateTimeOffset? ParseHttpDate(IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            return DateTimeOffset.TryParseExact(value.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : null;
        }

        return null;
    }
}
