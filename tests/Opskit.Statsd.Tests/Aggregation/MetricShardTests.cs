using System.Text;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Tests.Aggregation;

public sealed class MetricShardTests
{
    private static void Feed(MetricShard shard, string packet)
    {
        var sink = new DirectShardSink(shard);
        new StatsdLineParser().ParsePacket(Encoding.UTF8.GetBytes(packet), ref sink);
    }

    private static double Gauge(ShardSnapshot s, string name) => s.Gauges.Single(g => g.Name == name).Value;

    [Fact]
    public void Gauge_with_leading_minus_is_a_delta()
    {
        var shard = new MetricShard();
        Feed(shard, "g:10|g\ng:-3|g\ng:+1.5|g");
        Assert.Equal(8.5, Gauge(shard.TakeSnapshot(), "g"));
    }

    [Fact]
    public void Delta_on_a_zero_or_missing_gauge_sets_it_as_Etsy_does()
    {
        var shard = new MetricShard();
        Feed(shard, "g:-5|g\nz:0|g\nz:+2|g");
        var s = shard.TakeSnapshot();
        Assert.Equal(-5, Gauge(s, "g"));
        Assert.Equal(2, Gauge(s, "z"));
    }

    [Fact]
    public void Gauges_persist_across_flushes_and_counters_reset_to_zero()
    {
        var shard = new MetricShard();
        Feed(shard, "g:7|g\nc:3|c\nt:5|ms\ns:x|s");
        shard.TakeSnapshot();
        var second = shard.TakeSnapshot();
        Assert.Equal(7, Gauge(second, "g"));
        Assert.Equal(0, second.Counters.Single().Value);
        Assert.Empty(second.Timers.Single().Values);
        Assert.Equal(0, second.Timers.Single().Count);
        Assert.Empty(second.Sets.Single().Members);
    }

    [Fact]
    public void Delete_options_drop_idle_keys_after_a_flush()
    {
        var shard = new MetricShard
        {
            Settings = new AggregationSettings { DeleteCounters = true, DeleteTimers = true, DeleteSets = true, DeleteGauges = true },
        };
        Feed(shard, "g:7|g\nc:3|c\nt:5|ms\ns:x|s\nstatsd.bad_lines_seen:1|c");
        var first = shard.TakeSnapshot();
        Assert.Equal(2, first.Counters.Length);
        var second = shard.TakeSnapshot();
        Assert.Empty(second.Gauges);
        Assert.Empty(second.Timers);
        Assert.Empty(second.Sets);
        // Etsy keeps any counter whose name contains bad_lines_seen/packets_received/metrics_received, at 0.
        Assert.Equal([new NamedValue("statsd.bad_lines_seen", 0)], second.Counters);
    }

    [Fact]
    public void Gauges_max_ttl_keeps_an_idle_gauge_for_that_many_flushes()
    {
        var shard = new MetricShard { Settings = new AggregationSettings { DeleteGauges = true, GaugesMaxTtl = 3 } };
        Feed(shard, "g:1|g");
        Assert.Single(shard.TakeSnapshot().Gauges);
        Assert.Single(shard.TakeSnapshot().Gauges);
        Assert.Single(shard.TakeSnapshot().Gauges);
        Assert.Empty(shard.TakeSnapshot().Gauges);
    }

    [Fact]
    public void Counter_sums_follow_arrival_order_like_JavaScript()
    {
        var shard = new MetricShard();
        Feed(shard, "c:0.1|c\nc:0.2|c\nc:1|c|@0.3");
        var expected = 0.0 + 0.1 + 0.2 + (1 * (1 / 0.3));
        Assert.Equal(expected, shard.TakeSnapshot().Counters.Single().Value);
    }

    [Fact]
    public void Keys_of_different_types_are_separate_metrics()
    {
        var shard = new MetricShard();
        Feed(shard, "k:1|c\nk:2|g\nk:3|ms\nk:4|s");
        var s = shard.TakeSnapshot();
        Assert.Single(s.Counters);
        Assert.Single(s.Gauges);
        Assert.Single(s.Timers);
        Assert.Single(s.Sets);
    }

    // set_tests.js ported to the shard's set aggregation (Etsy's lib/set.js Set).
    [Fact] // set_tests.has_returns_expected_values
    public void Set_has_returns_expected_values()
    {
        var shard = new MetricShard();
        Feed(shard, "s:a|s");
        var members = shard.TakeSnapshot().Sets.Single().Members;
        Assert.Contains("a", members);
        Assert.DoesNotContain("b", members);
    }

    [Fact] // set_tests.clear_empties_the_set
    public void Set_clear_empties_the_set()
    {
        var shard = new MetricShard();
        Feed(shard, "s:a|s");
        Assert.Single(shard.TakeSnapshot().Sets.Single().Members);
        Assert.Empty(shard.TakeSnapshot().Sets.Single().Members);
    }

    [Fact] // set_tests.values_returns_values
    public void Set_values_returns_values()
    {
        var shard = new MetricShard();
        Feed(shard, "s:a|s\ns:b|s");
        var members = shard.TakeSnapshot().Sets.Single().Members;
        Assert.Equal(2, members.Length);
        Assert.Contains("a", members);
        Assert.Contains("b", members);
    }

    [Fact] // set_tests.values_are_unique
    public void Set_values_are_unique()
    {
        var shard = new MetricShard();
        Feed(shard, "s:a|s\ns:a|s\ns:b|s");
        Assert.Equal(2, shard.TakeSnapshot().Sets.Single().Members.Length);
    }

    [Fact] // set_tests.size_is_correct
    public void Set_size_is_correct()
    {
        var shard = new MetricShard();
        Feed(shard, "s:a|s");
        Assert.Single(shard.Peek().Sets.Single().Members);
        Feed(shard, "s:a|s");
        Assert.Single(shard.Peek().Sets.Single().Members);
        Feed(shard, "s:b|s");
        Assert.Equal(2, shard.Peek().Sets.Single().Members.Length);
    }

    [Fact]
    public void A_million_distinct_keys_aggregate_and_flush()
    {
        var shard = new MetricShard();
        var sink = new DirectShardSink(shard);
        var parser = new StatsdLineParser();
        Span<byte> line = stackalloc byte[64];
        for (var i = 0; i < 1_000_000; i++)
        {
            "key."u8.CopyTo(line);
            i.TryFormat(line[4..], out var n);
            ":1|c"u8.CopyTo(line[(4 + n)..]);
            parser.ParseLine(line[..(8 + n)], ref sink);
        }

        var snapshot = shard.TakeSnapshot();
        Assert.Equal(1_000_000, snapshot.Counters.Length);
        Assert.All(snapshot.Counters, c => Assert.Equal(1, c.Value));
    }
}
