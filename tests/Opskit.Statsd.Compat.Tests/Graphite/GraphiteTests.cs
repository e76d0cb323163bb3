using Opskit.Statsd.Compat.Tests.Support;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.Graphite;

/// <summary>Black-box port of Etsy statsd 0.9.0 <c>test/graphite_tests.js</c> (legacyNamespace: false).</summary>
public sealed class GraphiteTests
{
    private static Task<GraphiteScenario> StartAsync(string daemon) =>
        GraphiteScenario.StartAsync(daemon, config =>
        {
            config["histogram"] = new[] { new EtsyConfig { { "metric", "a_test_value" }, { "bins", new[] { 1000 } } } };
            config["graphite"] = new EtsyConfig { { "legacyNamespace", false } };
        });

    // graphite_tests.js: send_well_formed_posts
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task First_flush_reports_the_three_internal_counters(string daemon)
    {
        await using var scenario = await StartAsync(daemon);

        scenario.AssertFirstFlushHas("stats.statsd.numStats", 3);
    }

    // graphite_tests.js: send_malformed_post
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Malformed_line_is_counted_in_bad_lines_seen(string daemon)
    {
        await using var scenario = await StartAsync(daemon);

        await scenario.SendAsync("a_bad_test_value|z");

        await scenario.ExpectAsync("stats.statsd.numStats", 4);
        await scenario.ExpectAsync("stats.counters.statsd.bad_lines_seen.count", 1);
    }

    // graphite_tests.js: timers_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Timer_flushes_percentile_histogram_and_counts(string daemon)
    {
        await using var scenario = await StartAsync(daemon);

        await scenario.SendAsync("a_test_value:100|ms");

        await scenario.ExpectAsync("stats.statsd.numStats", 5);
        await scenario.ExpectAsync("stats.timers.a_test_value.histogram.bin_1000", 1);
        await scenario.ExpectAsync("stats.timers.a_test_value.mean_90", 100);
        await scenario.ExpectAsync("stats.timers.a_test_value.count_ps", 5);
        await scenario.ExpectAsync("stats.timers.a_test_value.count", 1);
    }

    // graphite_tests.js: sampled_timers_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Sampled_timer_count_is_scaled_by_the_sample_rate(string daemon)
    {
        await using var scenario = await StartAsync(daemon);

        await scenario.SendAsync("a_test_value:100|ms|@0.1");

        await scenario.ExpectAsync("stats.timers.a_test_value.count_ps", 50);
        await scenario.ExpectAsync("stats.timers.a_test_value.count", 10);
    }

    // graphite_tests.js: counts_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Counter_flushes_rate_and_count(string daemon)
    {
        await using var scenario = await StartAsync(daemon);

        await scenario.SendAsync("a_test_value:100|c");

        await scenario.ExpectAsync("stats.statsd.numStats", 5);
        await scenario.ExpectAsync("stats.counters.a_test_value.rate", 100 / (200 / 1000.0));
        await scenario.ExpectAsync("stats.counters.a_test_value.count", 100);
    }

    // graphite_tests.js: gauges_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Gauge_flushes_its_value(string daemon)
    {
        await using var scenario = await StartAsync(daemon);

        await scenario.SendAsync("a_test_value:70|g");

        await scenario.ExpectAsync("stats.gauges.a_test_value", 70);
    }

    // graphite_tests.js: gauge_modifications_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Gauge_with_leading_minus_is_a_delta(string daemon)
    {
        await using var scenario = await StartAsync(daemon);

        await scenario.SendAsync("test_value:50|g");
        await scenario.SendAsync("test_value:-3|g");

        await scenario.ExpectAsync("stats.gauges.test_value", 47);
    }

    // graphite_tests.js: metric_names_are_sanitized
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Metric_names_are_sanitized(string daemon)
    {
        await using var scenario = await StartAsync(daemon);

        await scenario.SendAsync("fo/o:250|c");
        await scenario.SendAsync("b ar:250|c");
        await scenario.SendAsync("foo+bar:250|c");

        await scenario.ExpectNameContainingAsync("fo-o");
        await scenario.ExpectNameContainingAsync("b_ar");
        await scenario.ExpectNameContainingAsync("foobar");
    }

    // graphite_tests.js: graphite_tags_are_supported
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Graphite_tags_in_the_key_follow_the_metric_suffix(string daemon)
    {
        await using var scenario = await StartAsync(daemon);

        await scenario.SendAsync("fo/o;tag1=val1:250|c");
        await scenario.SendAsync("b ar;tag1=val1;tag2=val2:250|c");
        await scenario.SendAsync("foo+bar;tag1=val1;tag3=val3;tag2=val2:250|c");

        await scenario.ExpectNameContainingAsync("fo-o.count;tag1=val1");
        await scenario.ExpectNameContainingAsync("b_ar.count;tag1=val1;tag2=val2");
        await scenario.ExpectNameContainingAsync("foobar.count;tag1=val1;tag3=val3;tag2=val2");
    }

    // graphite_tests.js: dogstatsd_tags_are_supported
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task DogStatsD_tags_become_graphite_tags(string daemon)
    {
        await using var scenario = await StartAsync(daemon);

        await scenario.SendAsync("fo/o:250|c|#tag1:val1");
        await scenario.SendAsync("b ar:250|c|#tag1:val1,tag2:val2");
        await scenario.SendAsync("foo+bar:250|c|#tag1:val;1,tag3:val3,tag2:val2");

        await scenario.ExpectNameContainingAsync("fo-o.count;tag1=val1");
        await scenario.ExpectNameContainingAsync("b_ar.count;tag1=val1;tag2=val2");
        await scenario.ExpectNameContainingAsync("foobar.count;tag1=val_1;tag3=val3;tag2=val2");
    }
}
