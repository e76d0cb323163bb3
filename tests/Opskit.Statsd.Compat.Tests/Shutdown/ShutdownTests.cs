using Opskit.Statsd.Compat.Tests.Support;
using Opskit.Testing;
using Opskit.Testing.Graphite;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.Shutdown;

/// <summary>
/// SIGTERM flushes what was received. Opskit only: Etsy statsd exits on SIGTERM without a flush and
/// loses the last interval, which is one reason to replace it.
/// </summary>
public sealed class ShutdownTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Metrics_received_just_before_SIGTERM_are_flushed_to_graphite()
    {
        await using var graphite = FakeGraphite.Start();
        var config = new EtsyConfig
        {
            // Far longer than the test: the only flush with data can be the one at shutdown.
            { "flushInterval", 600_000 },
            { "graphiteHost", "127.0.0.1" },
            { "graphitePort", graphite.Port },
            { "graphite", new EtsyConfig { { "legacyNamespace", false } } },
        };
        await using var statsd = await StatsdDaemon.StartAsync(StatsdDaemon.Opskit, config);

        for (var i = 0; i < 50; i++)
        {
            await statsd.SendAsync($"shutdown.requests:2|c\nshutdown.latency:{i}|ms");
        }

        await statsd.SendAsync("shutdown.inflight:17|g\nshutdown.users:alice|s");
        // The daemon has read every datagram once the kernel's queue for its socket is empty.
        await Eventually.AssertAsync(statsd.UdpQueueIsDrained, Timeout, "opskit reading its UDP socket");
        statsd.Process.Terminate();

        Assert.True(await statsd.Process.WaitForExitAsync(Timeout), $"opskit should exit after SIGTERM. Output:\n{statsd.Process.Output}");
        Assert.True(statsd.Process.ExitCode == 0, $"exit code {statsd.Process.ExitCode}. Output:\n{statsd.Process.Output}");
        var flush = await graphite.WaitForFlushAsync(f => f.Contains("stats.counters.shutdown.requests.count"), Timeout, "the shutdown flush");
        Assert.Equal(100, flush.Value("stats.counters.shutdown.requests.count"));
        Assert.Equal(50, flush.Value("stats.timers.shutdown.latency.count"));
        Assert.Equal(49, flush.Value("stats.timers.shutdown.latency.upper"));
        Assert.Equal(17, flush.Value("stats.gauges.shutdown.inflight"));
        Assert.Equal(1, flush.Value("stats.sets.shutdown.users.count"));
        Assert.Equal(51, flush.Value("stats.counters.statsd.packets_received.count"));
    }
}
