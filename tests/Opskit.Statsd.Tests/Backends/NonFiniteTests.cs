using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Tests.Support;
using Opskit.Testing.Graphite;

namespace Opskit.Statsd.Tests.Backends;

/// <summary>Issue 21, point 5: no Infinity or NaN reaches a backend; the lines that would carry one are bad lines.</summary>
public sealed class NonFiniteTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_probes_of_the_issue_are_bad_lines_and_graphite_gets_only_finite_numbers()
    {
        await using var graphite = new FakeGraphite();
        await using var statsd = await RunningStatsd.StartAsync(RunningStatsd.GraphiteConfig(graphite));
        // Rate 0, overflow, the spellings, and overflow by accumulation (the second +1e308 on a gauge and a counter).
        await statsd.SendAsync("probe.rate0:1|c|@0\nprobe.big:1e400|c\nprobe.inf:Infinity|c\nprobe.nan:NaN|g\nprobe.t:5|ms|@0");
        await statsd.SendAsync("probe.gauge:+1e308|g\nprobe.gauge:+1e308|g\nprobe.sum:1e308|c\nprobe.sum:1e308|c\nprobe.ok:1|c");
        await statsd.Server.FlushNowAsync(Ct);
        var lines = await graphite.WaitForLineAsync("stats.counters.probe.ok.count 1");
        Assert.DoesNotContain(lines, l => l.Value.Contains("Infinity", StringComparison.Ordinal) || l.Value.Contains("NaN", StringComparison.Ordinal));
        Assert.Equal("7", lines["stats.counters.statsd.bad_lines_seen.count"]);
        Assert.Equal("1e+308", lines["stats.gauges.probe.gauge"]);
        Assert.Equal("1e+308", lines["stats.counters.probe.sum.count"]);
        Assert.DoesNotContain("stats.counters.probe.rate0.count", lines.Keys);
        Assert.DoesNotContain("stats.timers.probe.t.count", lines.Keys);
    }

    [Fact]
    public void A_counter_or_gauge_update_that_would_overflow_is_dropped_and_reported()
    {
        var overflows = 0;
        var shard = new MetricShard { Overflowed = () => overflows++ };
        shard.AddCounter("c"u8, 1e308);
        shard.AddCounter("c"u8, 1e308);
        shard.SetGauge("g"u8, -1e308, signed: false);
        shard.SetGauge("g"u8, -1e308, signed: true);
        var snapshot = shard.TakeSnapshot();
        Assert.Equal(2, overflows);
        Assert.Equal(1e308, Assert.Single(snapshot.Counters).Value);
        Assert.Equal(-1e308, Assert.Single(snapshot.Gauges).Value);
    }
}
