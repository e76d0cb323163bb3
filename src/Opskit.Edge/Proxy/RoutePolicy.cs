using Opskit.Edge.Profiles;
using Opskit.Edge.Rollout;

namespace Opskit.Edge.Proxy;

/// <summary>The resolved policy of one route (immutable; replaced as a whole when the configuration changes).</summary>
internal sealed class RoutePolicy(string routeId, bool cache, GatePolicy? gate, string[]? cacheKeyHeaders = null)
{
    public string RouteId { get; } = routeId;

    public bool Cache { get; } = cache;

    public GatePolicy? Gate { get; } = gate;

    /// <summary>Client headers forwarded on cacheable fetches and keyed on (see <c>RoutePolicyOptions.CacheKeyHeaders</c>).</summary>
    public string[] CacheKeyHeaders { get; } = cacheKeyHeaders ?? [];

    /// <summary>True when <paramref name="name"/> is one of the route's <see cref="CacheKeyHeaders"/>.</summary>
    public bool KeysOn(string name)
    {
        foreach (var header in CacheKeyHeaders)
        {
            if (string.Equals(header, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The resolved gate of a route: cookie, profile store, rollout and the upstream header.</summary>
internal sealed class GatePolicy(string cookie, int maxCookieLength, ProfileStore store, RolloutPolicy rollout, string upstreamHeader)
{
    public string Cookie { get; } = cookie;

    public int MaxCookieLength { get; } = maxCookieLength;

    public ProfileStore Store { get; } = store;

    public RolloutPolicy Rollout { get; } = rollout;

    public string UpstreamHeader { get; } = upstreamHeader;
}
