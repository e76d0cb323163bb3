using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Protocol;

namespace Opskit.Benchmarks.Statsd;

/// <summary>
/// Flush cost with 1,000,000 distinct keys (issue 4: under a second of CPU): the shard snapshot and reset
/// plus the snapshot build (rates, merge, internal metrics). Each iteration refills the shard first.
/// Also prints the managed bytes per counter key once.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StatsdFlushBenchmark
{
    private const int Keys = 1_000_000;
    private MetricShard _shard = null!;
    private readonly AggregationSettings _settings = new();

    [GlobalSetup]
    public void MeasureBytesPerKey()
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var shard = Fill(new MetricShard());
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"// statsd: {(after - before) / (double)Keys:F0} managed bytes per counter key ({shard.KeyCount} keys)");
        GC.KeepAlive(shard);
    }

    [IterationSetup]
    public void Refill() => _shard = Fill(new MetricShard());

    [Benchmark]
    public int FlushOneMillionCounters()
    {
        var snapshot = _shard.TakeSnapshot();
        var built = SnapshotBuilder.Build([snapshot], default, [], _settings, 0);
        return built.Counters.Count;
    }

    private static MetricShard Fill(MetricShard shard)
    {
        var sink = new DirectShardSink(shard);
        var parser = new StatsdLineParser();
        Span<byte> line = stackalloc byte[64];
        for (var i = 0; i < Keys; i++)
        {
            "svc.host.requests."u8.CopyTo(line);
            i.TryFormat(line[18..], out var n);
            ":1|c"u8.CopyTo(line[(18 + n)..]);
            parser.ParseLine(line[..(22 + n)], ref sink);
        }

        return shard;
    }
}
