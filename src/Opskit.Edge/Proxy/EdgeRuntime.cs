using System.Collections.Frozen;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Opskit.Edge.Caching;
using Opskit.Edge.Configuration;
using Opskit.Edge.Profiles;
using Opskit.Edge.Rollout;

namespace Opskit.Edge.Proxy;

/// <summary>One immutable snapshot of the reloadable settings: per-route policies, the PURGE/BAN ACL, cache defaults.</summary>
internal sealed class EdgeSnapshot(
    FrozenDictionary<string, RoutePolicy> policies, IPNetwork[] purgeAcl, CacheDefaults defaults, string decisionHeader, EdgeOptions options,
    string[]? userHeaders = null)
{
    public static readonly RoutePolicy DefaultPolicy = new(string.Empty, true, null);

    public FrozenDictionary<string, RoutePolicy> Policies { get; } = policies;

    public IPNetwork[] PurgeAcl { get; } = purgeAcl;

    public CacheDefaults Defaults { get; } = defaults;

    public string DecisionHeader { get; } = decisionHeader;

    public EdgeOptions Options { get; } = options;

    /// <summary>Every gate's upstream user header (and the default one): only the proxy may send them upstream.</summary>
    public string[] UserHeaders { get; } = userHeaders ?? [new GateOptions().UpstreamHeader];

    /// <summary>The admin listener's port (0 when off): requests arriving on it are admin requests.</summary>
    public int AdminPort { get; } = ListenEndpoints.AdminPort(options.AdminListen);

    public RoutePolicy PolicyFor(string routeId) => Policies.TryGetValue(routeId, out var policy) ? policy : DefaultPolicy;

    public bool MayPurge(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in PurgeAcl)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Holds the current <see cref="EdgeSnapshot"/> and rebuilds it when the <c>Edge</c> section changes (YARP reloads
/// routes and clusters on its own); a valid change also applies the listen addresses (Kestrel rebinds), the cache size
/// (lowering it evicts), the object limit and the first-byte timeout. Profile stores are shared by file and schema and survive reloads, so a rollout
/// percentage change does not reopen the database. Requests read <see cref="Current"/> once: no locks.
/// </summary>
internal sealed partial class EdgeRuntime : IDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly EdgeMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly HttpCache _cache;
    private readonly UpstreamFetcher _fetcher;
    private readonly ListenEndpoints _endpoints;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Path, ProfileTableSchema Schema), ProfileStore> _stores = [];
    private readonly IDisposable? _subscription;
    private volatile EdgeSnapshot _current;

    public EdgeRuntime(
        IOptionsMonitor<EdgeOptions> options, ILoggerFactory loggerFactory, EdgeMetrics metrics, TimeProvider time, HttpCache cache, UpstreamFetcher fetcher,
        ListenEndpoints endpoints)
    {
        _cache = cache;
        _fetcher = fetcher;
        _endpoints = endpoints;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Opskit.Edge.Configuration");
        _metrics = metrics;
        _time = time;
        _current = Build(options.CurrentValue);
        _subscription = options.OnChange(Reload);
    }

    public EdgeSnapshot Current => _current;

    private void Reload(EdgeOptions options)
    {
        var errors = EdgeOptionsValidation.Errors(options);
        if (errors.Count > 0)
        {
            LogRejected(_logger, string.Join("; ", errors));
            return;
        }

        try
        {
            _current = Build(options);
            _cache.SizeLimit = (long)options.Cache.SizeLimitMegabytes << 20;
            _fetcher.MaxObjectBytes = options.Cache.MaxObjectKilobytes * 1024;
            _fetcher.FirstByteTimeout = TimeSpan.FromSeconds(options.Upstream.FirstByteTimeoutSeconds);
            _endpoints.Apply(options.Listen, options.AdminListen);
            LogReloaded(_logger, options.Policies.Count);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            LogRejected(_logger, ex.Message);
        }
    }

    private EdgeSnapshot Build(EdgeOptions options)
    {
        lock (_lock)
        {
            var used = new HashSet<(string, ProfileTableSchema)>();
            var userHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { new GateOptions().UpstreamHeader };
            var policies = new Dictionary<string, RoutePolicy>(StringComparer.OrdinalIgnoreCase);
            foreach (var (routeId, policy) in options.Policies)
            {
                GatePolicy? gate = null;
                if (policy.Gate is { } g)
                {
                    var schema = new ProfileTableSchema(g.Table, g.Column, g.FlagColumn);
                    var key = (Path.GetFullPath(g.Database), schema);
                    if (!_stores.TryGetValue(key, out var store))
                    {
                        store = new ProfileStore(key.Item1, schema, _loggerFactory.CreateLogger("Opskit.Edge.Profiles"), _metrics, _time);
                        _stores[key] = store;
                    }

                    used.Add(key);
                    userHeaders.Add(g.UpstreamHeader);
                    gate = new GatePolicy(g.Cookie, g.MaxCookieLength, store, new RolloutPolicy(g.RolloutPercentage, g.RolloutSalt, g.RolloutMode), g.UpstreamHeader);
                }

                policies[routeId] = new RoutePolicy(routeId, policy.Cache, gate, policy.CacheKeyHeaders?.ToArray());
            }

            // Stores no route uses any more are closed (their in-flight lookups finish first, see ProfileGeneration).
            foreach (var key in _stores.Keys.ToArray())
            {
                if (!used.Contains(key))
                {
                    _stores.Remove(key, out var store);
                    store!.Dispose();
                }
            }

            var acl = new IPNetwork[options.EffectivePurgeAcl.Count];
            for (var i = 0; i < acl.Length; i++)
            {
                acl[i] = IPNetwork.Parse(options.EffectivePurgeAcl[i]);
            }

            var defaults = new CacheDefaults(
                TimeSpan.FromSeconds(options.Cache.DefaultTtlSeconds),
                TimeSpan.FromSeconds(options.Cache.DefaultGraceSeconds),
                TimeSpan.FromSeconds(options.Cache.DefaultKeepSeconds),
                CacheDefaults.Varnish.HitForMissTtl,
                options.Cache.TargetedFields is { } fields ? fields.FindAll(f => f.Length > 0) : null);
            return new EdgeSnapshot(policies.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), acl, defaults, options.DecisionHeader, options, [.. userHeaders]);
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        lock (_lock)
        {
            foreach (var store in _stores.Values)
            {
                store.Dispose();
            }

            _stores.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "edge: configuration change rejected, keeping the previous one: {Errors}")]
    private static partial void LogRejected(ILogger logger, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "edge: configuration reloaded ({Policies} route policies)")]
    private static partial void LogReloaded(ILogger logger, int policies);
}
