using Opskit.Statsd.Compat.Tests.Support;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.Graphite;

/// <summary>
/// Black-box ports of Etsy statsd 0.9.0 <c>test/graphite_tests_filters.js</c> (calculatedTimerMetrics)
/// and <c>test/graphite_delete_counters_tests.js</c> (deleteIdleStats, gaugesMaxTTL).
/// </summary>
public sealed class GraphiteFilterAndDeleteTests
{
    private static Task<GraphiteScenario> StartDeletingAsync(string daemon) =>
        GraphiteScenario.StartAsync(daemon, config =>
        {
            config["deleteIdleStats"] = true;
            config["gaugesMaxTTL"] = 2;
        });

    // graphite_tests_filters.js: timers_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task CalculatedTimerMetrics_keeps_only_the_listed_timer_metrics(string daemon)
    {
        await using var scenario = await GraphiteScenario.StartAsync(daemon, config =>
        {
            config["calculatedTimerMetrics"] = new[] { "count_ps", "count", "count_percent", "mean_percent", "histogram" };
            config["histogram"] = new[] { new EtsyConfig { { "metric", "a_test_value" }, { "bins", new[] { 1000 } } } };
            config["graphite"] = new EtsyConfig { { "legacyNamespace", false } };
        });

        await scenario.SendAsync("a_test_value:100|ms");

        await scenario.ExpectAsync("stats.statsd.numStats", 5);
        await scenario.ExpectAsync("stats.timers.a_test_value.histogram.bin_1000", 1);
        await scenario.ExpectAsync("stats.timers.a_test_value.mean_90", 100);
        await scenario.ExpectAsync("stats.timers.a_test_value.count_ps", 5);
        await scenario.ExpectAsync("stats.timers.a_test_value.count", 1);
        await scenario.ExpectAsync("stats.timers.a_test_value.count_90", 1);
        var flush = await scenario.Graphite.WaitForFlushAsync(
            f => f.Has("stats.timers.a_test_value.count", 1), GraphiteScenario.Timeout, "the timer's flush");
        foreach (var filtered in new[] { "sum", "sum_squares", "sum_90", "sum_squares_90", "upper", "lower", "std", "median", "upper_90" })
        {
            var name = "stats.timers.a_test_value." + filtered;
            Assert.False(scenario.Graphite.Lines.Any(line => line.Name == name), $"{name} should be filtered out\n{flush}");
        }
    }

    // graphite_delete_counters_tests.js: send_well_formed_posts
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task DeleteIdleStats_first_flush_has_the_three_internal_counters(string daemon)
    {
        await using var scenario = await StartDeletingAsync(daemon);

        scenario.AssertFirstFlushHas("statsd.numStats", 3);
    }

    // graphite_delete_counters_tests.js: send_malformed_post
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task DeleteIdleStats_keeps_counting_bad_lines(string daemon)
    {
        await using var scenario = await StartDeletingAsync(daemon);

        await scenario.SendAsync("a_bad_test_value|z");

        await scenario.ExpectAsync("statsd.numStats", 4);
        await scenario.ExpectAsync("stats_counts.statsd.bad_lines_seen", 1);
    }

    // graphite_delete_counters_tests.js: timers_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task DeleteIdleStats_timer_is_flushed_then_deleted(string daemon)
    {
        await using var scenario = await StartDeletingAsync(daemon);

        await scenario.SendAsync("a_test_value:100|ms");

        await scenario.ExpectAsync("stats.timers.a_test_value.mean_90", 100);
        var withTimer = await scenario.Graphite.WaitForFlushAsync(
            f => f.Has("stats.timers.a_test_value.mean_90", 100), GraphiteScenario.Timeout, "the timer");
        // The next flush has no data for it, so the idle timer is gone and numStats drops back to 4.
        var after = await scenario.Graphite.WaitForFlushAtAsync(withTimer.Index + 1, GraphiteScenario.Timeout);
        Assert.False(after.Contains("stats.timers.a_test_value.count"), $"idle timer should be deleted\n{after}");
        await scenario.ExpectAsync("statsd.numStats", 4);
    }

    // graphite_delete_counters_tests.js: counts_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task DeleteIdleStats_counter_is_flushed_then_deleted(string daemon)
    {
        await using var scenario = await StartDeletingAsync(daemon);

        await scenario.SendAsync("a_test_value:100|c");

        await scenario.ExpectAsync("statsd.numStats", 4);
        await scenario.ExpectAsync("stats.a_test_value", 100 / (200 / 1000.0));
        await scenario.ExpectAsync("stats_counts.a_test_value", 100);
        var withCounter = await scenario.Graphite.WaitForFlushAsync(
            f => f.Has("stats_counts.a_test_value", 100), GraphiteScenario.Timeout, "the counter");
        var after = await scenario.Graphite.WaitForFlushAtAsync(withCounter.Index + 1, GraphiteScenario.Timeout);
        Assert.False(after.Contains("stats_counts.a_test_value"), $"idle counter should be deleted\n{after}");
    }

    // graphite_delete_counters_tests.js: gauges_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Idle_gauge_lives_gaugesMaxTTL_flushes(string daemon)
    {
        await using var scenario = await StartDeletingAsync(daemon);

        await scenario.SendAsync("a_test_value:+1|g");

        var first = await scenario.Graphite.WaitForFlushAsync(
            f => f.Has("stats.gauges.a_test_value", 1), GraphiteScenario.Timeout, "the gauge");
        var second = await scenario.Graphite.WaitForFlushAtAsync(first.Index + 1, GraphiteScenario.Timeout);
        var third = await scenario.Graphite.WaitForFlushAtAsync(first.Index + 2, GraphiteScenario.Timeout);
        Assert.Equal(5, first.Value("statsd.numStats"));
        Assert.Equal(1, second.Value("stats.gauges.a_test_value"));
        Assert.Equal(5, second.Value("statsd.numStats"));
        Assert.False(third.Contains("stats.gauges.a_test_value"), $"stats.gauges.a_test_value after third flush should not be present\n{third}");
        Assert.Equal(4, third.Value("statsd.numStats"));
    }
}
