using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Opskit.Statsd.Flushing;
using Opskit.Statsd.Protocol;
using Opskit.Statsd.Tests.Support;
using Opskit.Testing;
using Opskit.Testing.Graphite;

namespace Opskit.Statsd.Tests.Backends;

/// <summary>
/// The scenarios of Etsy's <c>test/graphite_tests.js</c> (and the legacy/prefix/suffix variants), run in-process
/// over real sockets: UDP in, flush, a fake Graphite TCP listener out.
/// </summary>
public sealed class GraphitePipelineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static double Status(IStatsdBackend backend, string key) => backend.Status().Single(s => s.Key == key).Value;

    [Fact] // graphite_tests.send_well_formed_posts
    public async Task First_flush_reports_three_stats()
    {
        await using var graphite = new FakeGraphite();
        await using var statsd = await RunningStatsd.StartAsync(RunningStatsd.GraphiteConfig(graphite));
        await statsd.Server.FlushNowAsync(Ct);
        var lines = await graphite.WaitForLineAsync("stats.statsd.numStats");
        Assert.Equal("3", lines["stats.statsd.numStats"]);
    }

    [Fact] // graphite_tests.send_malformed_post
    public async Task Malformed_line_is_counted_as_bad()
    {
        await using var graphite = new FakeGraphite();
        await using var statsd = await RunningStatsd.StartAsync(RunningStatsd.GraphiteConfig(graphite));
        await statsd.Server.FlushNowAsync(Ct);
        await graphite.WaitForLineAsync("stats.statsd.numStats");
        await statsd.SendAsync("a_bad_test_value|z");
        await statsd.Server.FlushNowAsync(Ct);
        var lines = await graphite.WaitForLineAsync("stats.counters.statsd.bad_lines_seen.count 1");
        Assert.Equal("4", lines["stats.statsd.numStats"]);
    }

    [Fact] // graphite_tests.timers_are_valid
    public async Task Timer_statistics_and_histogram_reach_graphite()
    {
        await using var graphite = new FakeGraphite();
        var config = RunningStatsd.GraphiteConfig(graphite);
        config["histogram"] = new JsonArray(new JsonObject { ["metric"] = "a_test_value", ["bins"] = new JsonArray(1000) });
        await using var statsd = await RunningStatsd.StartAsync(config);
        await statsd.Server.FlushNowAsync(Ct);
        await statsd.SendAsync("a_test_value:100|ms");
        await statsd.Server.FlushNowAsync(Ct);
        var lines = await graphite.WaitForLineAsync("stats.timers.a_test_value.mean_90");
        Assert.Equal("5", lines["stats.statsd.numStats"]);
        Assert.Equal("100", lines["stats.timers.a_test_value.mean_90"]);
        Assert.Equal("1", lines["stats.timers.a_test_value.histogram.bin_1000"]);
        Assert.Equal("1", lines["stats.timers.a_test_value.count"]);
    }

    [Fact] // graphite_tests.sampled_timers_are_valid
    public async Task Sampled_timer_counts_are_scaled()
    {
        await using var graphite = new FakeGraphite();
        var config = RunningStatsd.GraphiteConfig(graphite);
        config["flushInterval"] = 200;
        await using var statsd = await RunningStatsd.StartAsync(config);
        await statsd.SendAsync("a_test_value:100|ms|@0.1");
        // Later flushes report count 0 for the idle timer; the flush that carried the value says 10.
        var lines = await graphite.WaitForLineAsync("stats.timers.a_test_value.count 10 ");
        Assert.Equal("50", lines["stats.timers.a_test_value.count_ps"]);
    }

    [Fact] // graphite_tests.counts_are_valid
    public async Task Counter_rate_and_count()
    {
        await using var graphite = new FakeGraphite();
        var config = RunningStatsd.GraphiteConfig(graphite);
        config["flushInterval"] = 3000;
        await using var statsd = await RunningStatsd.StartAsync(config);
        await statsd.SendAsync("a_test_value:100|c");
        await statsd.Server.FlushNowAsync(Ct);
        var lines = await graphite.WaitForLineAsync("stats.counters.a_test_value.rate");
        Assert.Equal(JsNumber.ToJsString(100 / 3.0), lines["stats.counters.a_test_value.rate"]);
        Assert.Equal("100", lines["stats.counters.a_test_value.count"]);
    }

    [Fact] // graphite_tests.gauges_are_valid and gauge_modifications_are_valid
    public async Task Gauges_and_gauge_deltas()
    {
        await using var graphite = new FakeGraphite();
        await using var statsd = await RunningStatsd.StartAsync(RunningStatsd.GraphiteConfig(graphite));
        await statsd.SendAsync("a_test_value:70|g");
        await statsd.SendAsync("test_value:50|g");
        await statsd.SendAsync("test_value:-3|g");
        await statsd.Server.FlushNowAsync(Ct);
        var lines = await graphite.WaitForLineAsync("stats.gauges.a_test_value");
        Assert.Equal("70", lines["stats.gauges.a_test_value"]);
        Assert.Equal("47", lines["stats.gauges.test_value"]);
    }

    [Fact] // graphite_tests.metric_names_are_sanitized, graphite_tags_are_supported, dogstatsd_tags_are_supported
    public async Task Names_are_sanitized_and_tags_follow_the_metric_path()
    {
        await using var graphite = new FakeGraphite();
        await using var statsd = await RunningStatsd.StartAsync(RunningStatsd.GraphiteConfig(graphite));
        await statsd.SendAsync("fo/o:250|c\nb ar:250|c\nfoo+bar:250|c");
        await statsd.SendAsync("fo/o;tag1=val1:250|c\nb ar;tag1=val1;tag2=val2:250|c");
        await statsd.SendAsync("x/y:250|c|#tag1:val1\nfoo+baz:250|c|#tag1:val;1,tag3:val3,tag2:val2");
        await statsd.Server.FlushNowAsync(Ct);
        var lines = await graphite.WaitForLineAsync("stats.counters.fo-o.count");
        Assert.Contains("stats.counters.b_ar.count", lines.Keys);
        Assert.Contains("stats.counters.foobar.count", lines.Keys);
        Assert.Contains("stats.counters.fo-o.count;tag1=val1", lines.Keys);
        Assert.Contains("stats.counters.b_ar.count;tag1=val1;tag2=val2", lines.Keys);
        Assert.Contains("stats.counters.x-y.count;tag1=val1", lines.Keys);
        Assert.Contains("stats.counters.foobaz.count;tag1=val_1;tag3=val3;tag2=val2", lines.Keys);
    }

    [Fact] // graphite_legacy_tests: legacy namespace names
    public async Task Legacy_namespace_names()
    {
        await using var graphite = new FakeGraphite();
        var config = RunningStatsd.GraphiteConfig(graphite, legacy: true);
        config["flushInterval"] = 1000;
        await using var statsd = await RunningStatsd.StartAsync(config);
        await statsd.SendAsync("a:3|c\nt:5|ms\ng:1|g\ns:x|s");
        var lines = await graphite.WaitForLineAsync("stats.timers.t.upper ");
        Assert.Equal("3", lines["stats.a"]);
        Assert.Equal("3", lines["stats_counts.a"]);
        Assert.Equal("1", lines["stats.gauges.g"]);
        Assert.Equal("1", lines["stats.sets.s.count"]);
        Assert.Contains("statsd.numStats", lines.Keys);
        Assert.Contains("stats.statsd.graphiteStats.calculationtime", lines.Keys);
        Assert.Contains("stats.statsd.processing_time", lines.Keys);
        Assert.Contains("stats.statsd.graphiteStats.last_flush", lines.Keys);
    }

    [Fact] // graphite_tests_statsprefix / graphite_tests_statssuffix
    public async Task Prefixes_suffix_and_prefixStats()
    {
        await using var graphite = new FakeGraphite();
        var config = RunningStatsd.GraphiteConfig(graphite);
        config["prefixStats"] = "mystats";
        config["graphite"] = new JsonObject
        {
            ["legacyNamespace"] = false,
            ["globalPrefix"] = "global",
            ["prefixCounter"] = "cnt",
            ["prefixTimer"] = "tmr",
            ["prefixGauge"] = string.Empty,
            ["prefixSet"] = "st",
            ["globalSuffix"] = "host1",
        };
        await using var statsd = await RunningStatsd.StartAsync(config);
        await statsd.SendAsync("a:3|c\nt:5|ms\ng:1|g\ns:x|s\nk;env=prod:1|c");
        await statsd.Server.FlushNowAsync(Ct);
        var lines = await graphite.WaitForLineAsync("global.cnt.a.rate");
        Assert.Equal("3", lines["global.cnt.a.count.host1"]);
        Assert.Contains("global.cnt.a.rate.host1", lines.Keys);
        Assert.Contains("global.tmr.t.mean.host1", lines.Keys);
        Assert.Equal("1", lines["global.g.host1"]);
        Assert.Equal("1", lines["global.st.s.count.host1"]);
        Assert.Contains("global.cnt.k.count.host1;env=prod", lines.Keys);
        Assert.Contains("global.cnt.mystats.bad_lines_seen.count.host1", lines.Keys);
        Assert.Contains("global.mystats.numStats.host1", lines.Keys);
        Assert.Contains("global.mystats.graphiteStats.last_flush.host1", lines.Keys);
    }

    [Fact] // graphite_tests_filters: flush_counts false and calculatedTimerMetrics
    public async Task Flush_counts_off_and_timer_filter()
    {
        await using var graphite = new FakeGraphite();
        var config = RunningStatsd.GraphiteConfig(graphite);
        config["flush_counts"] = false;
        config["calculatedTimerMetrics"] = new JsonArray("count", "upper_percent");
        await using var statsd = await RunningStatsd.StartAsync(config);
        await statsd.SendAsync("a:3|c\nt:5|ms");
        await statsd.Server.FlushNowAsync(Ct);
        var lines = await graphite.WaitForLineAsync("stats.counters.a.rate");
        Assert.DoesNotContain("stats.counters.a.count", lines.Keys);
        Assert.Equal(["stats.timers.t.count", "stats.timers.t.upper_90"], lines.Keys.Where(k => k.StartsWith("stats.timers.t.", StringComparison.Ordinal)).Order().ToArray());
    }

    [Fact] // graphite_pickle_tests
    public async Task Pickle_protocol_frames_the_payload()
    {
        await using var graphite = new FakeGraphite();
        var config = RunningStatsd.GraphiteConfig(graphite);
        config["graphiteProtocol"] = "pickle";
        config["graphitePicklePort"] = graphite.Port;
        await using var statsd = await RunningStatsd.StartAsync(config);
        await statsd.SendAsync("a:3|c");
        await statsd.Server.FlushNowAsync(Ct);
        await Eventually.AssertAsync(() => !graphite.Connections.IsEmpty, TimeSpan.FromSeconds(10), "a pickle flush");
        var payload = graphite.Connections.First();
        var length = BinaryPrimitives.ReadUInt32BigEndian(payload);
        Assert.Equal(payload.Length - 4, (int)length);
        var body = Encoding.ASCII.GetString(payload, 4, payload.Length - 4);
        Assert.StartsWith("(l(S'", body, StringComparison.Ordinal);
        Assert.Contains("(S'stats.counters.a.count'\n(L", body, StringComparison.Ordinal);
        Assert.Contains("L\nS'3'\ntta", body, StringComparison.Ordinal);
        Assert.EndsWith(".", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receive_totals_join_the_internal_metrics_only_when_asked()
    {
        await using var graphite = new FakeGraphite();
        var config = RunningStatsd.GraphiteConfig(graphite);
        config["receiveStats"] = true;
        await using var statsd = await RunningStatsd.StartAsync(config);
        await statsd.SendAsync("a:1|c\nbad");
        await statsd.Server.FlushNowAsync(Ct);
        var lines = await graphite.WaitForLineAsync("stats.statsd.receive.datagrams");
        Assert.Equal("1", lines["stats.statsd.receive.datagrams"]);
        Assert.Equal("2", lines["stats.statsd.receive.lines"]);
        Assert.Equal("1", lines["stats.statsd.receive.bad_lines"]);
        Assert.Equal("0", lines["stats.statsd.receive.kernel_drops"]);
        Assert.Equal("4", lines["stats.statsd.numStats"]);

        await using var plain = new FakeGraphite();
        await using var etsyLike = await RunningStatsd.StartAsync(RunningStatsd.GraphiteConfig(plain));
        await etsyLike.Server.FlushNowAsync(Ct);
        var plainLines = await plain.WaitForLineAsync("stats.statsd.numStats");
        Assert.DoesNotContain(plainLines.Keys, k => k.Contains(".receive.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_sent_before_shutdown_reach_graphite()
    {
        await using var graphite = new FakeGraphite();
        var statsd = await RunningStatsd.StartAsync(RunningStatsd.GraphiteConfig(graphite));
        await statsd.SendAsync("last.words:42|c");
        await statsd.Server.StopAsync(Ct);
        var lines = await graphite.WaitForLineAsync("stats.counters.last.words.count");
        Assert.Equal("42", lines["stats.counters.last.words.count"]);
    }

    [Fact]
    public async Task Flushes_wait_in_the_retry_buffer_while_graphite_is_down()
    {
        var port = FreePort.Tcp();
        var config = new JsonObject
        {
            ["graphiteHost"] = "127.0.0.1",
            ["graphitePort"] = port,
            ["graphite"] = new JsonObject { ["legacyNamespace"] = false, ["retryBufferSeconds"] = 7200 },
        };
        await using var statsd = await RunningStatsd.StartAsync(config);
        await statsd.SendAsync("during.outage:1|c");
        await statsd.Server.FlushNowAsync(Ct);
        var graphiteBackend = statsd.Server.Scheduler.Runners.Single().Backend;
        // Buffered and failed: the flush joins the buffer before the connect attempt, and a Graphite that came
        // up before that attempt would take it on a connection of its own.
        await Eventually.AssertAsync(
            () => Status(graphiteBackend, "unsent_flushes") == 1 && Status(graphiteBackend, "last_exception") > 0,
            TimeSpan.FromSeconds(10),
            "the flush to be buffered after a failed connect");

        await using var graphite = new FakeGraphite(port);
        await statsd.SendAsync("after.outage:1|c");
        await statsd.Server.FlushNowAsync(Ct);
        await graphite.WaitForLineAsync("stats.counters.after.outage.count");
        // Both flushes arrive, oldest first, on the connection after Graphite came back.
        var all = string.Concat(graphite.Texts);
        var during = all.IndexOf("stats.counters.during.outage.count 1 ", StringComparison.Ordinal);
        var after = all.IndexOf("stats.counters.after.outage.count 1 ", StringComparison.Ordinal);
        Assert.InRange(during, 0, after);
    }

    [Fact]
    public async Task A_full_retry_buffer_drops_the_oldest_flush_and_counts_it()
    {
        var config = new JsonObject
        {
            ["graphiteHost"] = "127.0.0.1",
            ["graphitePort"] = FreePort.Tcp(),
            ["flushInterval"] = 1000,
            ["graphite"] = new JsonObject { ["retryBufferSeconds"] = 2 },
        };
        await using var statsd = await RunningStatsd.StartAsync(config);
        var backend = (Opskit.Statsd.Backends.Graphite.GraphiteBackend)statsd.Server.Scheduler.Runners.Single().Backend;
        await Eventually.AssertAsync(() => backend.DroppedFlushes >= 1, TimeSpan.FromSeconds(15), "a dropped flush");
        Assert.Equal(2, backend.Status().Single(s => s.Key == "unsent_flushes").Value);
    }
}
