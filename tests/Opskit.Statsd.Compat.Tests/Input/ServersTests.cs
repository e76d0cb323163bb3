using System.Net;
using System.Net.Sockets;
using System.Text;
using Opskit.Statsd.Compat.Tests.Support;
using Opskit.Testing;
using Opskit.Testing.Graphite;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.Input;

/// <summary>
/// Several <c>servers</c> entries at once: Etsy's <c>servers/udp</c> and <c>servers/tcp</c>
/// (newline-framed; a line split across TCP writes is joined, a line without its newline waits).
/// </summary>
public sealed class ServersTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Udp_and_tcp_servers_feed_the_same_aggregates(string daemon)
    {
        await using var graphite = FakeGraphite.Start();
        var udp = FreePort.Udp();
        var tcp = FreePort.Tcp();
        var config = EtsyConfig.EtsyGraphiteTest(graphite.Port);
        config["graphite"] = new EtsyConfig { { "legacyNamespace", false } };
        config["port"] = udp;
        config["servers"] = new[]
        {
            new EtsyConfig { { "server", "./servers/udp" }, { "address", "127.0.0.1" }, { "port", udp } },
            new EtsyConfig { { "server", "./servers/tcp" }, { "address", "127.0.0.1" }, { "port", tcp } },
        };
        await using var statsd = await StatsdDaemon.StartAsync(daemon, config);
        await statsd.Process.WaitForTcpPortAsync(tcp, Timeout);

        var ct = TestContext.Current.CancellationToken;
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, tcp, ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("tcp.requests:5|c\ntcp.requests:"), ct);
        await stream.FlushAsync(ct);
        // Once the first line is flushed the daemon has read the first write, so the rest of the
        // split line arrives in a separate read.
        await graphite.WaitForValueAsync("stats.counters.tcp.requests.count", 5, Timeout);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("2|c\ntcp.latency:40|ms\nboth.requests:1|c\ntcp.unfinished:9|c"), ct);
        await stream.FlushAsync(ct);
        await statsd.SendAsync("both.requests:10|c");

        await graphite.WaitForSumAsync("stats.counters.tcp.requests.count", 7, Timeout);
        await graphite.WaitForValueAsync("stats.timers.tcp.latency.upper", 40, Timeout);
        await graphite.WaitForSumAsync("stats.counters.both.requests.count", 11, Timeout);
        Assert.DoesNotContain(graphite.Lines, line => line.Name.StartsWith("stats.counters.tcp.unfinished", StringComparison.Ordinal));
        Assert.DoesNotContain(graphite.Lines, line => line.Name == "stats.counters.statsd.bad_lines_seen.count" && line.Number != 0);
    }
}
