using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Tests.Aggregation;

public sealed class AggregatorTests
{
    [Fact]
    public async Task Metrics_routed_from_several_loops_land_in_one_shard_per_key()
    {
        var stats = new ReceiveStatistics(0);
        await using var aggregator = new Aggregator(4, new AggregationSettings { FlushIntervalMs = 1000 }, stats);
        var loops = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            var router = aggregator.CreateRouter();
            var sink = router.CreateSink();
            var parser = new StatsdLineParser();
            for (var i = 0; i < 1000; i++)
            {
                var lines = parser.ParsePacket("a:1|c\nb:2|c\nt:5|ms\ng:+1|g\nbad\n"u8, ref sink);
                router.CountPacket(tcp: false, lines);
                router.Commit(1);
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        await Task.WhenAll(loops);

        var shards = await aggregator.TakeSnapshotsAsync(TestContext.Current.CancellationToken);
        var snapshot = SnapshotBuilder.Build(shards, stats.TakeInterval(), [], aggregator.Settings, 1);
        var counters = snapshot.Counters.ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal(3000, counters["a"]);
        Assert.Equal(6000, counters["b"]);
        Assert.Equal(3000, counters["statsd.packets_received"]);
        Assert.Equal(15000, counters["statsd.metrics_received"]);
        Assert.Equal(3000, counters["statsd.bad_lines_seen"]);
        Assert.Equal(3000, snapshot.Timers.Single().Values.Length);
        Assert.Equal(3000, snapshot.Gauges.Single().Value);
        Assert.Equal(3000, snapshot.CounterRates[snapshot.Counters.ToList().FindIndex(c => c.Name == "a")]);
    }

    [Fact]
    public void Internal_counter_names_follow_prefixStats_and_lead_the_counters()
    {
        var snapshot = SnapshotBuilder.Build(
            [new ShardSnapshot([new NamedValue("x", 1), new NamedValue("custom.packets_received", 2)], [], [], [])],
            new InternalCounts(5, 6, 7),
            [],
            new AggregationSettings { PrefixStats = "custom" },
            0);
        Assert.Equal(
            [new NamedValue("custom.bad_lines_seen", 7), new NamedValue("custom.packets_received", 7), new NamedValue("custom.metrics_received", 6), new NamedValue("x", 1)],
            snapshot.Counters);
    }
}
