using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Opskit.Edge.Profiles;

namespace Opskit.Edge;

/// <summary>
/// The proxy's instruments (<c>System.Diagnostics.Metrics</c>, meter <c>Opskit.Edge</c>), with plain counters kept
/// alongside so the admin endpoint and tests can read them without a listener.
/// </summary>
internal sealed class EdgeMetrics : IDisposable
{
    public const string MeterName = "Opskit.Edge";

    private readonly Meter _meter;
    private readonly Counter<long> _profileUnavailable;
    private readonly Counter<long> _profileLoadFailures;
    private readonly ConcurrentDictionary<string, ProfileStoreState> _profileStates = new();
    private readonly ConcurrentDictionary<string, int> _profileIndexes = new();
    private long _hits;
    private long _misses;
    private long _passes;
    private long _upstreamFetches;
    private long _staleServed;
    private long _profileUnavailableCount;
    private long _profileLoadFailureCount;

    public EdgeMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _profileUnavailable = _meter.CreateCounter<long>("opskit.edge.profiles.unavailable_lookups", description: "Lookups answered \"no profile\" because no usable file is loaded");
        _profileLoadFailures = _meter.CreateCounter<long>("opskit.edge.profiles.load_failures", description: "Changes of the profiles file into an unusable state");
        _meter.CreateObservableCounter("opskit.edge.cache.hits", () => Volatile.Read(ref _hits));
        _meter.CreateObservableCounter("opskit.edge.cache.misses", () => Volatile.Read(ref _misses));
        _meter.CreateObservableCounter("opskit.edge.cache.passes", () => Volatile.Read(ref _passes));
        _meter.CreateObservableCounter("opskit.edge.upstream.fetches", () => Volatile.Read(ref _upstreamFetches));
        _meter.CreateObservableCounter("opskit.edge.cache.stale_served", () => Volatile.Read(ref _staleServed));
    }

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

    public void ProfileUnavailable()
    {
        Interlocked.Increment(ref _profileUnavailableCount);
        _profileUnavailable.Add(1);
    }

    public void ProfileLoadFailed(ProfileStoreState state)
    {
        Interlocked.Increment(ref _profileLoadFailureCount);
        _profileLoadFailures.Add(1, new KeyValuePair<string, object?>("state", state.ToString()));
    }

    public void SetProfileState(string path, ProfileStoreState state) => _profileStates[path] = state;

    /// <summary>Profiles held by the in-memory index of the file at <paramref name="path"/> (0 while not built).</summary>
    public void SetProfileIndex(string path, int count) => _profileIndexes[path] = count;

    public IReadOnlyDictionary<string, int> ProfileIndexes => _profileIndexes;

    public IReadOnlyDictionary<string, ProfileStoreState> ProfileStates => _profileStates;

    public void Dispose() => _meter.Dispose();
}
