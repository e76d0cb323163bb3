using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Opskit.Statsd.Tests.Support;
using Opskit.Testing;
using Opskit.Testing.Graphite;

namespace Opskit.Statsd.Tests.Input;

public sealed class InputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tcp_lines_are_framed_by_newline_and_a_last_unterminated_line_is_kept()
    {
        var tcpPort = FreePort.Tcp();
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject
        {
            ["backends"] = new JsonArray(),
            ["servers"] = new JsonArray(
                new JsonObject { ["server"] = "./servers/tcp", ["address"] = "127.0.0.1", ["port"] = tcpPort },
                new JsonObject { ["address"] = "127.0.0.1", ["port"] = FreePort.Udp() }),
        });
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, tcpPort, Ct);
            var stream = client.GetStream();
            await stream.WriteAsync("tcp.a:1|c\ntcp.b:"u8.ToArray(), Ct);
            await stream.FlushAsync(Ct);
            await stream.WriteAsync("2|c\ntcp.c:3|c"u8.ToArray(), Ct);
        }

        await Eventually.AssertAsync(() => statsd.Server.Aggregator.Statistics.Lines >= 3, TimeSpan.FromSeconds(10), "three TCP lines");
        var counters = await statsd.ManageAsync("counters");
        Assert.Contains("'tcp.a': 1", counters, StringComparison.Ordinal);
        Assert.Contains("'tcp.b': 2", counters, StringComparison.Ordinal);
        Assert.Contains("'tcp.c': 3", counters, StringComparison.Ordinal);
        Assert.True(statsd.Server.Aggregator.Statistics.TcpPackets >= 2);
    }

    [Fact]
    public async Task Tcp_client_that_resets_its_connection_does_not_cost_the_final_flush()
    {
        await using var graphite = new FakeGraphite();
        var tcpPort = FreePort.Tcp();
        var config = RunningStatsd.GraphiteConfig(graphite);
        config["flushInterval"] = 3_600_000; // only the shutdown flush can deliver the counter
        config["servers"] = new JsonArray(
            new JsonObject { ["server"] = "./servers/tcp", ["address"] = "127.0.0.1", ["port"] = tcpPort },
            new JsonObject { ["address"] = "127.0.0.1", ["port"] = FreePort.Udp() });
        var statsd = await RunningStatsd.StartAsync(config);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, tcpPort, Ct);
            await client.GetStream().WriteAsync("tcp.reset:5|c\n"u8.ToArray(), Ct);
            await Eventually.AssertAsync(() => statsd.Server.Aggregator.Statistics.Lines >= 1, TimeSpan.FromSeconds(10), "the TCP line");
            client.LingerState = new LingerOption(true, 0); // close with RST: the daemon's read fails with a reset
            client.Close();
        }

        await statsd.DisposeAsync();
        var flushed = await graphite.WaitForLineAsync("stats.counters.tcp.reset.count 5");
        Assert.Equal("5", flushed["stats.counters.tcp.reset.count"]);
    }

    [Fact]
    public async Task Tcp_reads_ascii_like_Etsy_high_bits_cleared()
    {
        var tcpPort = FreePort.Tcp();
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject
        {
            ["backends"] = new JsonArray(),
            ["servers"] = new JsonArray(new JsonObject { ["server"] = "./servers/tcp", ["address"] = "127.0.0.1", ["port"] = tcpPort }),
        });
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, tcpPort, Ct);
            // 0xE1 & 0x7F = 'a'
            await client.GetStream().WriteAsync(new byte[] { (byte)'k', 0xE1, (byte)':', (byte)'1', (byte)'|', (byte)'c', (byte)'\n' }, Ct);
        }

        await Eventually.AssertAsync(() => statsd.Server.Aggregator.Statistics.Lines >= 1, TimeSpan.FromSeconds(10), "the TCP line");
        Assert.Contains("ka: 1", await statsd.ManageAsync("counters"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Udp_over_ipv6_loopback()
    {
        if (!Socket.OSSupportsIPv6)
        {
            Assert.Skip("no IPv6 on this machine");
        }

        var port = FreePort.Udp();
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject
        {
            ["backends"] = new JsonArray(),
            ["address"] = "::1",
            ["address_ipv6"] = true,
            ["port"] = port,
        });
        using var udp = new UdpClient(AddressFamily.InterNetworkV6);
        await udp.SendAsync("v6.metric:7|c"u8.ToArray(), new IPEndPoint(IPAddress.IPv6Loopback, port), Ct);
        await Eventually.AssertAsync(() => statsd.Server.Aggregator.Statistics.Datagrams >= 1, TimeSpan.FromSeconds(10), "the IPv6 datagram");
        Assert.Contains("'v6.metric': 7", await statsd.ManageAsync("counters"), StringComparison.Ordinal);
    }

    /// <summary>
    /// Lets the daemon catch up every 50 datagrams. Without CAP_NET_ADMIN (a container's root) the 8 MiB receive
    /// buffer is capped at net.core.rmem_max, about 400 small datagrams by default, and a burst from several
    /// senders while the receive threads wait for a core would be dropped by the kernel, not by the daemon.
    /// </summary>
    private static async Task KeepWithinSocketBufferAsync(RunningStatsd statsd, long sent)
    {
        if (sent % 50 == 0)
        {
            await Eventually.AssertAsync(() => statsd.Server.Aggregator.Statistics.Datagrams >= sent - 50, TimeSpan.FromSeconds(20), $"{sent - 50} datagrams");
        }
    }

    [Theory]
    [InlineData("shared")]
    [InlineData("reuseport")]
    public async Task Several_receive_loops_share_one_port_and_lose_nothing_on_loopback(string mode)
    {
        await using var statsd = await RunningStatsd.StartAsync(
            new JsonObject { ["backends"] = new JsonArray(), ["udpReaders"] = 3, ["udpSocketMode"] = mode });
        var sent = 0L;
        var senders = Enumerable.Range(0, 4).Select(s => Task.Run(async () =>
        {
            using var udp = new UdpClient(AddressFamily.InterNetwork);
            var packet = Encoding.UTF8.GetBytes("load.counter:1|c\nload.timer:5|ms");
            for (var i = 0; i < 500; i++)
            {
                await udp.SendAsync(packet, new IPEndPoint(IPAddress.Loopback, statsd.UdpPort), Ct);
                await KeepWithinSocketBufferAsync(statsd, Interlocked.Increment(ref sent));
            }
        }, Ct));
        await Task.WhenAll(senders);
        await Eventually.AssertAsync(() => statsd.Server.Aggregator.Statistics.Datagrams >= 2000, TimeSpan.FromSeconds(20), "2000 datagrams");
        var snapshot = await statsd.Server.FlushNowAsync(Ct);
        Assert.Equal(2000, snapshot.Counters.Single(c => c.Name == "load.counter").Value);
        Assert.Equal(2000, snapshot.Timers.Single(t => t.Name == "load.timer").Values.Length);
        Assert.Equal(2000, snapshot.Counters.Single(c => c.Name == "statsd.packets_received").Value);
        Assert.Equal(4000, snapshot.Counters.Single(c => c.Name == "statsd.metrics_received").Value);
    }

    [Fact]
    public async Task One_sender_on_a_shared_socket_keeps_its_packet_order_across_receive_loops()
    {
        // Each packet sets the gauge absolutely and then the next one changes it by a delta: any reordering of
        // two packets between the loops ends on a different value than 3 * 1000 - 1 = 2999.
        await using var statsd = await RunningStatsd.StartAsync(
            new JsonObject { ["backends"] = new JsonArray(), ["udpReaders"] = 3, ["udpSocketMode"] = "shared" });
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        var target = new IPEndPoint(IPAddress.Loopback, statsd.UdpPort);
        for (var i = 1; i <= 1000; i++)
        {
            await udp.SendAsync(Encoding.UTF8.GetBytes($"order.gauge:{3 * i}|g"), target, Ct);
            await udp.SendAsync(Encoding.UTF8.GetBytes("order.gauge:-1|g"), target, Ct);
            await KeepWithinSocketBufferAsync(statsd, 2 * i);
        }

        await Eventually.AssertAsync(() => statsd.Server.Aggregator.Statistics.Datagrams >= 2000, TimeSpan.FromSeconds(20), "2000 datagrams");
        var snapshot = await statsd.Server.FlushNowAsync(Ct);
        Assert.Equal(2999, snapshot.Gauges.Single(g => g.Name == "order.gauge").Value);
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_port_fails_instead_of_sharing_it()
    {
        await using var first = await RunningStatsd.StartAsync(new JsonObject { ["backends"] = new JsonArray(), ["udpReaders"] = 2 });
        var ex = await Assert.ThrowsAsync<ListenException>(() => RunningStatsd.StartAsync(
            new JsonObject { ["backends"] = new JsonArray(), ["udpReaders"] = 2, ["port"] = first.UdpPort }));
        Assert.Equal(SocketError.AddressAlreadyInUse, Assert.IsType<SocketException>(ex.InnerException).SocketErrorCode);
        Assert.Contains($"UDP 127.0.0.1:{first.UdpPort}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_start_that_fails_does_not_flush_or_claim_to_stop()
    {
        // Issue 20: the management port is taken; the console backend must not print an (empty) final flush.
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var console = new StringWriter();
        using var logs = new ListLoggerProvider();
        using var factory = new Microsoft.Extensions.Logging.LoggerFactory([logs]);
        var config = Opskit.Statsd.Configuration.StatsdConfig.FromObject(new JsonObject
        {
            ["address"] = "127.0.0.1",
            ["port"] = FreePort.Udp(),
            ["mgmt_port"] = ((IPEndPoint)taken.LocalEndpoint).Port,
            ["backends"] = new JsonArray("./backends/console"),
        });
        var ex = await Assert.ThrowsAsync<ListenException>(() => StatsdServer.StartAsync(config, null, factory, TimeProvider.System, console, Ct));
        Assert.Contains($"management TCP 127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(string.Empty, console.ToString());
        Assert.DoesNotContain(logs.Messages, m => m.Contains("stopp", StringComparison.Ordinal) || m == "server is up");
    }

    [Fact]
    public async Task Management_port_can_be_reused_right_after_a_quit()
    {
        var mgmt = FreePort.Tcp();
        await using (var first = await RunningStatsd.StartAsync(new JsonObject { ["backends"] = new JsonArray(), ["mgmt_port"] = mgmt }))
        {
            // The daemon closes first on quit, so its side of the connection sits in TIME_WAIT.
            Assert.Equal("health: up\n", await first.ManageAsync("health"));
        }

        await using var second = await RunningStatsd.StartAsync(new JsonObject { ["backends"] = new JsonArray(), ["mgmt_port"] = mgmt });
        Assert.Equal("health: up\n", await second.ManageAsync("health"));
    }

    [Fact]
    public async Task Random_garbage_is_counted_and_the_daemon_keeps_working()
    {
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject { ["backends"] = new JsonArray() });
        var random = new Random(42);
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        for (var i = 0; i < 200; i++)
        {
            var junk = new byte[random.Next(1, 1400)];
            random.NextBytes(junk);
            await udp.SendAsync(junk, new IPEndPoint(IPAddress.Loopback, statsd.UdpPort), Ct);
            await KeepWithinSocketBufferAsync(statsd, i + 1);
        }

        await Eventually.AssertAsync(() => statsd.Server.Aggregator.Statistics.Datagrams >= 200, TimeSpan.FromSeconds(10), "the garbage datagrams");
        await statsd.SendAsync("still.alive:1|c");
        Assert.Contains("'still.alive': 1", await statsd.ManageAsync("counters"), StringComparison.Ordinal);
        Assert.True(statsd.Server.Aggregator.Statistics.BadLines > 0);
    }

    [Fact]
    public async Task Stats_command_reports_the_effective_receive_path()
    {
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject { ["backends"] = new JsonArray() });
        await statsd.SendAsync("x:1|c\n_e{1,1}:a|b\n_sc|check|0");
        var stats = await statsd.ManageAsync("stats");
        Assert.Contains("receive.datagrams: 1\n", stats, StringComparison.Ordinal);
        Assert.Contains("receive.lines: 3\n", stats, StringComparison.Ordinal);
        Assert.Contains("receive.dogstatsd_events: 2\n", stats, StringComparison.Ordinal);
        Assert.Contains("receive.kernel_drops: 0\n", stats, StringComparison.Ordinal);
    }
}
