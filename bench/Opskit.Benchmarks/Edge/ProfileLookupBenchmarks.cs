using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Opskit.Edge;
using Opskit.Edge.Profiles;

namespace Opskit.Benchmarks.Edge;

/// <summary>
/// One profile lookup in a 10M-row file; target ≤ 2 µs median. Steady state: answered by the exact in-memory index
/// built after the file is loaded. <see cref="Sqlite_lookup_present_id"/> measures the prepared primary-key query
/// alone (what answers while the index is being built).
/// The file comes from <c>bench/edge/make-profiles.sh</c>; its path is <c>OPSKIT_EDGE_PROFILES</c>
/// (default /tmp/opskit-edge-bench/profiles-10m.db).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ProfileLookupBenchmarks
{
    private const int Ids = 4096;
    private ProfileStore _store = null!;
    private EdgeMetrics _metrics = null!;
    private byte[][] _present = null!;
    private byte[][] _absent = null!;
    private ProfileReader _reader = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("OPSKIT_EDGE_PROFILES") ?? "/tmp/opskit-edge-bench/profiles-10m.db";
        _metrics = new EdgeMetrics();
        _store = new ProfileStore(path, new ProfileTableSchema(), NullLogger.Instance, _metrics, TimeProvider.System);
        if (_store.State != ProfileStoreState.Loaded)
        {
            throw new InvalidOperationException($"{path}: {_store.State}; run bench/edge/make-profiles.sh first");
        }

        // The fingerprint index is built in the background after a file is loaded; measure the steady state.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!_store.IndexReady && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        if (!_store.IndexReady)
        {
            throw new InvalidOperationException("profile index not built within 2 minutes");
        }

        if (ProfileReader.TryOpen(path, "SELECT 1 FROM \"user_profiles\" WHERE \"profile_id\" = ?1 LIMIT 1", out var reader) != ProfileStoreState.Loaded)
        {
            throw new InvalidOperationException($"{path}: cannot open a reader");
        }

        _reader = reader!;

        // Random ids over the whole key space, so the B-tree pages touched vary as under real traffic.
        var random = new Random(42);
        _present = new byte[Ids][];
        _absent = new byte[Ids][];
        for (var i = 0; i < Ids; i++)
        {
            var n = random.Next(0, 10_000_000);
            _present[i] = Encoding.UTF8.GetBytes($"user-{n * 2:D8}");
            _absent[i] = Encoding.UTF8.GetBytes($"user-{(n * 2) + 1:D8}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader.Dispose();
        _store.Dispose();
        _metrics.Dispose();
    }

    [Benchmark]
    public bool Lookup_present_id() => _store.Lookup(_present[_next++ & (Ids - 1)]) == ProfileLookupResult.Found;

    [Benchmark]
    public int Sqlite_lookup_present_id() => _reader.Lookup(_present[_next++ & (Ids - 1)]);

    [Benchmark]
    public bool Lookup_absent_id() => _store.Lookup(_absent[_next++ & (Ids - 1)]) == ProfileLookupResult.Found;
}
