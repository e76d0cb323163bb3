using Opskit.Statsd.Compat.Tests.Support;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.Graphite;

/// <summary>
/// Black-box ports of Etsy statsd 0.9.0 <c>test/graphite_legacy_tests.js</c> and
/// <c>test/graphite_legacy_tests_statsprefix.js</c> (the default legacyNamespace: true).
/// </summary>
public sealed class GraphiteLegacyTests
{
    // graphite_legacy_tests.js: send_well_formed_posts
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Legacy_first_flush_reports_numStats_without_stats_prefix(string daemon)
    {
        await using var scenario = await GraphiteScenario.StartAsync(daemon, _ => { });

        scenario.AssertFirstFlushHas("statsd.numStats", 3);
    }

    // graphite_legacy_tests.js: timers_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Legacy_timer_flushes_under_stats_timers(string daemon)
    {
        await using var scenario = await GraphiteScenario.StartAsync(daemon, _ => { });

        await scenario.SendAsync("a_test_value:100|ms");

        await scenario.ExpectAsync("statsd.numStats", 5);
        await scenario.ExpectAsync("stats.timers.a_test_value.mean_90", 100);
    }

    // graphite_legacy_tests.js: counts_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Legacy_counter_flushes_rate_under_stats_and_count_under_stats_counts(string daemon)
    {
        await using var scenario = await GraphiteScenario.StartAsync(daemon, _ => { });

        await scenario.SendAsync("a_test_value:100|c");

        await scenario.ExpectAsync("statsd.numStats", 5);
        await scenario.ExpectAsync("stats.a_test_value", 100 / (200 / 1000.0));
        await scenario.ExpectAsync("stats_counts.a_test_value", 100);
    }

    // graphite_legacy_tests_statsprefix.js: send_well_formed_posts
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Legacy_prefixStats_renames_numStats(string daemon)
    {
        await using var scenario = await GraphiteScenario.StartAsync(daemon, config => config["prefixStats"] = "statsprefix");

        scenario.AssertFirstFlushHas("statsprefix.numStats", 3);
    }

    // graphite_legacy_tests_statsprefix.js: timers_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Legacy_prefixStats_timer(string daemon)
    {
        await using var scenario = await GraphiteScenario.StartAsync(daemon, config => config["prefixStats"] = "statsprefix");

        await scenario.SendAsync("a_test_value:100|ms");

        await scenario.ExpectAsync("statsprefix.numStats", 5);
        await scenario.ExpectAsync("stats.timers.a_test_value.mean_90", 100);
    }

    // graphite_legacy_tests_statsprefix.js: counts_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Legacy_prefixStats_counter(string daemon)
    {
        await using var scenario = await GraphiteScenario.StartAsync(daemon, config => config["prefixStats"] = "statsprefix");

        await scenario.SendAsync("a_test_value:100|c");

        await scenario.ExpectAsync("statsprefix.numStats", 5);
        await scenario.ExpectAsync("stats.a_test_value", 100 / (200 / 1000.0));
        await scenario.ExpectAsync("stats_counts.a_test_value", 100);
    }
}
