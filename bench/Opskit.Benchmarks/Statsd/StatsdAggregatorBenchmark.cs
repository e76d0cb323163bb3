using BenchmarkDotNet.Attributes;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Protocol;

namespace Opskit.Benchmarks.Statsd;

/// <summary>
/// Parser + aggregation on one core: lines straight into one shard (keys already seen: the steady state), and
/// the same through the receive-loop router and its hand-off blocks (what a UDP receive loop does per batch).
/// Target (issue 4): 0 B per line, at least 5M lines/s.
/// </summary>
[MemoryDiagnoser]
public class StatsdAggregatorBenchmark
{
    private const int PacketCount = 4096;
    private byte[][] _packets = [];
    private readonly StatsdLineParser _parser = new();
    private MetricShard _shard = null!;
    private Aggregator _aggregator = null!;
    private ShardRouter _router = null!;

    [GlobalSetup]
    public void Setup()
    {
        _packets = StatsdWorkload.Packets(PacketCount);
        _shard = new MetricShard();
        _aggregator = new Aggregator(1, new AggregationSettings(), new ReceiveStatistics(0));
        _router = _aggregator.CreateRouter();
        // Warm every key so the measured loop is the steady state (no first-sight key strings).
        ParseIntoShard();
        ParseThroughRouter();
        StatsdCpuProbe.Report();
    }

    [GlobalCleanup]
    public void Cleanup() => _aggregator.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Parse and aggregate into one shard on the calling thread.</summary>
    [Benchmark(OperationsPerInvoke = PacketCount * StatsdWorkload.LinesPerPacket)]
    public int ParseIntoShard()
    {
        var sink = new DirectShardSink(_shard);
        var lines = 0;
        foreach (var packet in _packets)
        {
            lines += _parser.ParsePacket(packet, ref sink);
        }

        // Keep timer value lists from growing across iterations (a flush does this in the daemon).
        if (_shard.KeyCount > 0)
        {
            _shard.ResetIntervalValues();
        }

        return lines;
    }

    /// <summary>Parse, route into hand-off blocks and apply them on the shard worker (one packet per receive batch of 32).</summary>
    [Benchmark(OperationsPerInvoke = PacketCount * StatsdWorkload.LinesPerPacket)]
    public int ParseThroughRouter()
    {
        var sink = _router.CreateSink();
        var lines = 0;
        for (var i = 0; i < _packets.Length; i++)
        {
            lines += _parser.ParsePacket(_packets[i], ref sink);
            if ((i & 31) == 31)
            {
                _router.Commit(0);
            }
        }

        _router.Commit(0);
        // Let the shard worker drain and reset interval values before the next iteration.
        _aggregator.OnEveryShardAsync(static s => s.ResetIntervalValues(), CancellationToken.None).GetAwaiter().GetResult();
        return lines;
    }
}
