using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Opskit.Core.Metrics;
using Opskit.Edge.Profiles;

namespace Opskit.Edge;

/// <summary>
/// The proxy's instruments (<c>System.Diagnostics.Metrics</c>, meter <c>Opskit.Edge</c>). Each count is kept once, in a
/// field the observable instruments read (so <c>/status</c> and tests read the same number without a listener), and
/// <see cref="WritePrometheus"/> renders this instance's meter with Core's <see cref="MeterExporter"/>.
/// </summary>
internal sealed class EdgeMetrics : IDisposable
{
    public const string MeterName = "Opskit.Edge";

    private readonly Meter _meter;
    private readonly MeterExporter _exporter;
    private readonly ConcurrentDictionary<string, ProfileStoreState> _profileStates = new();
    private readonly ConcurrentDictionary<string, int> _profileIndexes = new();
    private long _hits;
    private long _misses;
    private long _passes;
    private long _upstreamFetches;
    private long _staleServed;
    private long _profileUnavailableCount;
    private long _profileLoadFailureCount;
    private int _cacheObserved;
    private int _accessLogObserved;

    public EdgeMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableCounter("opskit.edge.cache.hits", () => Volatile.Read(ref _hits), description: "Requests answered from the cache");
        _meter.CreateObservableCounter("opskit.edge.cache.misses", () => Volatile.Read(ref _misses), description: "Requests that needed an upstream fetch");
        _meter.CreateObservableCounter("opskit.edge.cache.passes", () => Volatile.Read(ref _passes), description: "Requests passed to the backend uncached");
        _meter.CreateObservableCounter("opskit.edge.cache.stale_served", () => Volatile.Read(ref _staleServed), description: "Stale objects served because the upstream failed or was sick");
        _meter.CreateObservableCounter("opskit.edge.upstream.fetches", () => Volatile.Read(ref _upstreamFetches), description: "Upstream fetches for the cache");
        _meter.CreateObservableCounter("opskit.edge.profiles.unavailable_lookups", () => Volatile.Read(ref _profileUnavailableCount), description: "Lookups answered no-profile because no usable file is loaded");
        _meter.CreateObservableCounter("opskit.edge.profiles.load_failures", () => Volatile.Read(ref _profileLoadFailureCount), description: "Changes of a profiles file into an unusable state");
        _meter.CreateObservableGauge("opskit.edge.profiles.loaded", ProfilesLoaded, description: "1 when the profiles file is usable");
        _meter.CreateObservableGauge("opskit.edge.profiles.indexed", ProfilesIndexed, description: "Profiles in the in-memory index (0 while it is built)");
        _exporter = new MeterExporter(_meter);
    }

    /// <summary>Publishes the cache's size, object count and evictions (once, whoever asks first).</summary>
    public void ObserveCache(Func<long> bytes, Func<long> objects, Func<long> evictions)
    {
        if (Interlocked.Exchange(ref _cacheObserved, 1) == 0)
        {
            _meter.CreateObservableGauge("opskit.edge.cache.bytes", bytes, "By", "Bytes held by cached objects");
            _meter.CreateObservableGauge("opskit.edge.cache.objects", objects, description: "Cache keys held");
            _meter.CreateObservableCounter("opskit.edge.cache.evictions", evictions, description: "Objects evicted by the size limit");
        }
    }

    /// <summary>Publishes the access log's dropped lines (once).</summary>
    public void ObserveAccessLog(Func<long> dropped)
    {
        if (Interlocked.Exchange(ref _accessLogObserved, 1) == 0)
        {
            _meter.CreateObservableCounter("opskit.edge.access_log.dropped", dropped, description: "Access log lines dropped because the writer was behind");
        }
    }

    /// <summary>The Prometheus text of this instance's instruments.</summary>
    public string WritePrometheus() => _exporter.Render();

    public long Hits => Volatile.Read(ref _hits);

    public long Misses => Volatile.Read(ref _misses);

    public long Passes => Volatile.Read(ref _passes);

    public long UpstreamFetches => Volatile.Read(ref _upstreamFetches);

    public long StaleServed => Volatile.Read(ref _staleServed);

    public long ProfileUnavailableLookups => Volatile.Read(ref _profileUnavailableCount);

    public long ProfileLoadFailures => Volatile.Read(ref _profileLoadFailureCount);

    public void Hit() => Interlocked.Increment(ref _hits);

    public void Miss() => Interlocked.Increment(ref _misses);

    public void Pass() => Interlocked.Increment(ref _passes);

    public void UpstreamFetch() => Interlocked.Increment(ref _upstreamFetches);

    public void Stale() => Interlocked.Increment(ref _staleServed);

    public void ProfileUnavailable() => Interlocked.Increment(ref _profileUnavailableCount);

    public void ProfileLoadFailed() => Interlocked.Increment(ref _profileLoadFailureCount);

    public void SetProfileState(string path, ProfileStoreState state) => _profileStates[path] = state;

    /// <summary>Profiles held by the in-memory index of the file at <paramref name="path"/> (0 while not built).</summary>
    public void SetProfileIndex(string path, int count) => _profileIndexes[path] = count;

    public IReadOnlyDictionary<string, int> ProfileIndexes => _profileIndexes;

    public IReadOnlyDictionary<string, ProfileStoreState> ProfileStates => _profileStates;

    private IEnumerable<Measurement<int>> ProfilesLoaded()
    {
        foreach (var (path, state) in _profileStates)
        {
            yield return new Measurement<int>(state == ProfileStoreState.Loaded ? 1 : 0, new KeyValuePair<string, object?>("path", path), new KeyValuePair<string, object?>("state", state.ToString()));
        }
    }

    private IEnumerable<Measurement<int>> ProfilesIndexed()
    {
        foreach (var (path, count) in _profileIndexes)
        {
            yield return new Measurement<int>(count, new KeyValuePair<string, object?>("path", path));
        }
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }
}
