using Opskit.Statsd.Compat.Tests.Support;
using Opskit.Testing;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.Clients;

/// <summary>
/// Metrics sent by real client libraries arrive at Graphite with the right names and values:
/// npm <c>hot-shots</c> (DogStatsD tags, buffered multi-line packets) and the Perl <c>Net::Statsd</c>.
/// </summary>
public sealed class RealClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    // hot-shots with the datadog extensions on: tags per call and global, several lines per packet.
    private const string HotShotsScript = """
        const StatsD = require('hot-shots');
        const [port, mode] = process.argv.slice(2);
        const client = new StatsD({
          host: '127.0.0.1', port: Number(port), protocol: 'udp', maxBufferSize: 1000, bufferFlushInterval: 50,
          globalTags: { team: 'sre' }, errorHandler: e => { console.error(e); process.exit(2); },
          originDetection: false,
        });
        if (mode === 'beyond') {
          client.distribution('hs.payload', 300);
          client.distribution('hs.payload', 100);
          client.histogram('hs.rows', 12, ['table:users']);
          client.gauge('hs.stamped', 9, { timestamp: new Date() });
        } else {
          client.increment('hs.requests', 5, ['env:test', 'region:eu']);
          client.increment('hs.requests', 2, ['env:test', 'region:eu']);
          client.timing('hs.latency', 120, ['env:test']);
          client.timing('hs.latency', 80, ['env:test']);
          client.gauge('hs.queue', 7);
          client.set('hs.users', 'alice');
          client.set('hs.users', 'bob');
          client.set('hs.users', 'alice');
        }
        client.close(err => { if (err) { console.error(err); process.exit(3); } console.log('sent'); });
        """;

    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task HotShots_tagged_metrics_arrive_with_graphite_tags(string daemon)
    {
        await using var scenario = await StartAsync(daemon);

        await RunHotShotsAsync(scenario.Statsd, "common");

        await scenario.Graphite.WaitForSumAsync("stats.counters.hs.requests.count;team=sre;env=test;region=eu", 7, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.timers.hs.latency.upper;team=sre;env=test", 120, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.timers.hs.latency.mean;team=sre;env=test", 100, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.gauges.hs.queue;team=sre", 7, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.sets.hs.users.count;team=sre", 2, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.counters.statsd.bad_lines_seen.count", 0, Timeout);
        Assert.DoesNotContain(scenario.Graphite.Lines, line => line.Name == "stats.counters.statsd.bad_lines_seen.count" && line.Number != 0);
    }

    // Beyond Etsy: distributions and histograms are timers and the timestamp field is accepted
    // (Etsy counts |d and |h as counters and rejects |T... as a bad line).
    [Fact]
    public async Task HotShots_distribution_histogram_and_timestamp_are_understood()
    {
        await using var scenario = await StartAsync(StatsdDaemon.Opskit);

        await RunHotShotsAsync(scenario.Statsd, "beyond");

        await scenario.Graphite.WaitForValueAsync("stats.timers.hs.payload.count;team=sre", 2, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.timers.hs.payload.mean;team=sre", 200, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.timers.hs.rows.upper;team=sre;table=users", 12, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.gauges.hs.stamped;team=sre", 9, Timeout);
        Assert.DoesNotContain(scenario.Graphite.Lines, line => line.Name == "stats.counters.statsd.bad_lines_seen.count" && line.Number != 0);
    }

    // Beyond Etsy: DogStatsD value packing (several values for one key in one line) and the container
    // id field, which current Datadog clients send; hot-shots 17 sends neither here, so the line is
    // written by hand.
    [Fact]
    public async Task Packed_distribution_values_are_all_recorded()
    {
        await using var scenario = await StartAsync(StatsdDaemon.Opskit);

        await scenario.Statsd.SendAsync("packed.latency:10:20:30:40|d|#env:test|c:c0ffee");

        await scenario.Graphite.WaitForValueAsync("stats.timers.packed.latency.count;env=test", 4, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.timers.packed.latency.sum;env=test", 100, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.timers.packed.latency.upper;env=test", 40, Timeout);
        Assert.DoesNotContain(scenario.Graphite.Lines, line => line.Name == "stats.counters.statsd.bad_lines_seen.count" && line.Number != 0);
    }

    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Perl_Net_Statsd_metrics_arrive(string daemon)
    {
        var perl = ExternalProgram.Require("perl", "apt: perl");
        await using var scenario = await StartAsync(daemon);

        var script = $"""
            use Net::Statsd; die "Net::Statsd is not installed (apt: libnet-statsd-perl)" unless defined &Net::Statsd::increment;
            $Net::Statsd::HOST = '127.0.0.1'; $Net::Statsd::PORT = {scenario.Statsd.Port};
            Net::Statsd::increment('perl.jobs'); Net::Statsd::update_stats('perl.jobs', 4); Net::Statsd::decrement('perl.jobs');
            Net::Statsd::timing('perl.render', 250); Net::Statsd::timing('perl.render', 50);
            Net::Statsd::gauge('perl.workers', 42);
            print "sent\n";
            """;
        var (exitCode, output) = await ProgramRun.RunAsync(perl, ["-e", script], Timeout);
        if (exitCode != 0 && output.Contains("Can't locate Net/Statsd.pm", StringComparison.Ordinal))
        {
            ExternalProgram.Require("Net/Statsd.pm", "apt: libnet-statsd-perl"); // fails in CI, skips elsewhere
        }

        Assert.True(exitCode == 0, $"perl exited with {exitCode}:\n{output}");
        await scenario.Graphite.WaitForSumAsync("stats.counters.perl.jobs.count", 4, Timeout); // three datagrams: may span flushes
        await scenario.Graphite.WaitForValueAsync("stats.timers.perl.render.upper", 250, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.timers.perl.render.lower", 50, Timeout);
        await scenario.Graphite.WaitForValueAsync("stats.gauges.perl.workers", 42, Timeout);
    }

    private static Task<GraphiteScenario> StartAsync(string daemon) =>
        GraphiteScenario.StartAsync(daemon, config =>
        {
            config["flushInterval"] = 500;
            config["graphite"] = new EtsyConfig { { "legacyNamespace", false } };
        });

    private static async Task RunHotShotsAsync(StatsdDaemon statsd, string mode)
    {
        var node = ExternalProgram.Require("node", "apt: nodejs");
        if (!Directory.Exists(Path.Combine(RepoPaths.NodeModules, "hot-shots")))
        {
            ExternalProgram.Require("hot-shots", "npm: hot-shots (tests/npm-packages.txt)", RepoPaths.NodeModules);
        }

        using var directory = new TempDirectory("hot-shots");
        var script = directory.File("send.js");
        await File.WriteAllTextAsync(script, HotShotsScript);
        var output = await ProgramRun.CheckedAsync(node, [script, statsd.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), mode], Timeout,
            new Dictionary<string, string> { ["NODE_PATH"] = RepoPaths.NodeModules });
        Assert.Contains("sent", output, StringComparison.Ordinal);
    }
}
