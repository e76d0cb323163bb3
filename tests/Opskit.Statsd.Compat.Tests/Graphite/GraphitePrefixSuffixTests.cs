using Opskit.Statsd.Compat.Tests.Support;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.Graphite;

/// <summary>
/// Black-box ports of Etsy statsd 0.9.0 <c>test/graphite_tests_statsprefix.js</c> (prefixStats) and
/// <c>test/graphite_tests_statssuffix.js</c> (graphite.globalSuffix), both with legacyNamespace: false.
/// </summary>
public sealed class GraphitePrefixSuffixTests
{
    private static Task<GraphiteScenario> StartWithPrefixAsync(string daemon) =>
        GraphiteScenario.StartAsync(daemon, config =>
        {
            config["prefixStats"] = "statsprefix";
            config["graphite"] = new EtsyConfig { { "legacyNamespace", false } };
        });

    private static Task<GraphiteScenario> StartWithSuffixAsync(string daemon) =>
        GraphiteScenario.StartAsync(daemon, config =>
            config["graphite"] = new EtsyConfig { { "legacyNamespace", false }, { "globalSuffix", "statssuffix" } });

    // graphite_tests_statsprefix.js: send_well_formed_posts
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task PrefixStats_renames_the_internal_namespace(string daemon)
    {
        await using var scenario = await StartWithPrefixAsync(daemon);

        scenario.AssertFirstFlushHas("stats.statsprefix.numStats", 3);
    }

    // graphite_tests_statsprefix.js: send_malformed_post
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task PrefixStats_renames_bad_lines_seen(string daemon)
    {
        await using var scenario = await StartWithPrefixAsync(daemon);

        await scenario.SendAsync("a_bad_test_value|z");

        await scenario.ExpectAsync("stats.statsprefix.numStats", 4);
        await scenario.ExpectAsync("stats.counters.statsprefix.bad_lines_seen.count", 1);
    }

    // graphite_tests_statsprefix.js: timers_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task PrefixStats_leaves_timer_names_alone(string daemon)
    {
        await using var scenario = await StartWithPrefixAsync(daemon);

        await scenario.SendAsync("a_test_value:100|ms");

        await scenario.ExpectAsync("stats.statsprefix.numStats", 5);
        await scenario.ExpectAsync("stats.timers.a_test_value.mean_90", 100);
    }

    // graphite_tests_statsprefix.js: counts_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task PrefixStats_leaves_counter_names_alone(string daemon)
    {
        await using var scenario = await StartWithPrefixAsync(daemon);

        await scenario.SendAsync("a_test_value:100|c");

        await scenario.ExpectAsync("stats.statsprefix.numStats", 5);
        await scenario.ExpectAsync("stats.counters.a_test_value.rate", 100 / (200 / 1000.0));
        await scenario.ExpectAsync("stats.counters.a_test_value.count", 100);
    }

    // graphite_tests_statssuffix.js: send_well_formed_posts
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task GlobalSuffix_is_appended_to_numStats(string daemon)
    {
        await using var scenario = await StartWithSuffixAsync(daemon);

        scenario.AssertFirstFlushHas("stats.statsd.numStats.statssuffix", 3);
    }

    // graphite_tests_statssuffix.js: send_malformed_post
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task GlobalSuffix_is_appended_to_bad_lines_seen(string daemon)
    {
        await using var scenario = await StartWithSuffixAsync(daemon);

        await scenario.SendAsync("a_bad_test_value|z");

        await scenario.ExpectAsync("stats.statsd.numStats.statssuffix", 4);
        await scenario.ExpectAsync("stats.counters.statsd.bad_lines_seen.count.statssuffix", 1);
    }

    // graphite_tests_statssuffix.js: timers_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task GlobalSuffix_is_appended_to_timer_metrics(string daemon)
    {
        await using var scenario = await StartWithSuffixAsync(daemon);

        await scenario.SendAsync("a_test_value:100|ms");

        await scenario.ExpectAsync("stats.statsd.numStats.statssuffix", 5);
        await scenario.ExpectAsync("stats.timers.a_test_value.mean_90.statssuffix", 100);
    }

    // graphite_tests_statssuffix.js: counts_are_valid
    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task GlobalSuffix_is_appended_to_counter_metrics(string daemon)
    {
        await using var scenario = await StartWithSuffixAsync(daemon);

        await scenario.SendAsync("a_test_value:100|c");

        await scenario.ExpectAsync("stats.statsd.numStats.statssuffix", 5);
        await scenario.ExpectAsync("stats.counters.a_test_value.rate.statssuffix", 100 / (200 / 1000.0));
        await scenario.ExpectAsync("stats.counters.a_test_value.count.statssuffix", 100);
    }
}
