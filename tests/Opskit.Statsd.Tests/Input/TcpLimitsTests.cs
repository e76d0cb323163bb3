using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Opskit.Statsd.Tests.Support;
using Opskit.Testing;

namespace Opskit.Statsd.Tests.Input;

/// <summary>Issue 21, point 4: every TCP input of the daemon is bounded (line length, idle time, connections).</summary>
public sealed class TcpLimitsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<RunningStatsd> StartAsync(int tcpPort, JsonObject? extra = null)
    {
        var config = new JsonObject
        {
            ["backends"] = new JsonArray(),
            ["servers"] = new JsonArray(
                new JsonObject { ["server"] = "./servers/tcp", ["address"] = "127.0.0.1", ["port"] = tcpPort },
                new JsonObject { ["address"] = "127.0.0.1", ["port"] = FreePort.Udp() }),
        };
        foreach (var (key, value) in extra ?? [])
        {
            config[key] = value?.DeepClone();
        }

        return await RunningStatsd.StartAsync(config);
    }

    /// <summary>True once the server closed the connection (end of stream or reset).</summary>
    private static async Task<bool> ClosedByServerAsync(TcpClient client)
    {
        var buffer = new byte[256];
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(Wait);
            while (true)
            {
                var read = await client.GetStream().ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            return true; // reset (InvalidOperationException: a write already saw it and marked the client disconnected)
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Connects and waits for the server to close; a reset already during the connect counts as closed.</summary>
    private static async Task<bool> ConnectAndSeeClosedAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, Ct);
        }
        catch (SocketException)
        {
            return true;
        }

        return await ClosedByServerAsync(client);
    }

    private static async Task WriteAllowingResetAsync(TcpClient client, byte[] data)
    {
        try
        {
            for (var offset = 0; offset < data.Length; offset += 8192)
            {
                await client.GetStream().WriteAsync(data.AsMemory(offset, Math.Min(8192, data.Length - offset)), Ct);
            }
        }
        catch (IOException)
        {
            // the server closed the connection part-way, which is what these tests provoke
        }
    }

    [Fact]
    public async Task A_tcp_line_over_the_limit_is_a_bad_line_and_closes_only_that_connection()
    {
        var port = FreePort.Tcp();
        await using var statsd = await StartAsync(port, new JsonObject { ["tcpMaxLineLength"] = 1000 });
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, port, Ct);
            await WriteAllowingResetAsync(client, Encoding.ASCII.GetBytes("limit.ok:1|c\n" + new string('x', 50_000)));
            Assert.True(await ClosedByServerAsync(client), "the connection with the over-long line was not closed");
        }

        var input = statsd.Server.TcpInputs[0];
        await Eventually.AssertAsync(() => input.LinesTooLong == 1, Wait, "the over-long line counted");
        // The aggregator counts it as a bad line on its own thread, a moment after the input did.
        await Eventually.AssertAsync(() => statsd.Server.Aggregator.Statistics.BadLines == 1, Wait, "the over-long line as a bad line");

        // Lines up to the limit still pass, on a new connection.
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, port, Ct);
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("limit.long" + new string('y', 970) + ":2|c\n"), Ct);
        }

        // Waited for in the counters themselves: the line count can reach 2 before this line is aggregated.
        var counters = string.Empty;
        await Eventually.AssertAsync(
            async () =>
            {
                counters = await statsd.ManageAsync("counters");
                return counters.Contains("yyy': 2", StringComparison.Ordinal);
            },
            Wait,
            "the line at the limit in the counters");
        Assert.Contains("'limit.ok': 1", counters, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_tcp_connection_is_closed_after_the_idle_timeout()
    {
        var port = FreePort.Tcp();
        await using var statsd = await StartAsync(port, new JsonObject { ["tcpIdleTimeout"] = 300 });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, Ct);
        await client.GetStream().WriteAsync("idle.a:1|c\n"u8.ToArray(), Ct);
        Assert.True(await ClosedByServerAsync(client), "the idle connection stayed open");
        // Counters are updated by the server's and the aggregator's own threads, a moment after the client sees the close.
        await Eventually.AssertAsync(() => statsd.Server.TcpInputs[0].IdleClosed == 1, Wait, "the idle close counted");
        await Eventually.AssertAsync(() => statsd.Server.Aggregator.Statistics.Lines == 1, Wait, "the line before the idle close");
    }

    [Fact]
    public async Task Connections_over_the_cap_are_refused_and_the_others_keep_working()
    {
        var port = FreePort.Tcp();
        await using var statsd = await StartAsync(port, new JsonObject { ["tcpMaxConnections"] = 2 });
        var input = statsd.Server.TcpInputs[0];
        using var first = new TcpClient();
        using var second = new TcpClient();
        await first.ConnectAsync(IPAddress.Loopback, port, Ct);
        await second.ConnectAsync(IPAddress.Loopback, port, Ct);
        await Eventually.AssertAsync(() => input.OpenConnections == 2, Wait, "two connections served");

        Assert.True(await ConnectAndSeeClosedAsync(port), "the connection over the cap stayed open");

        await Eventually.AssertAsync(() => input.RefusedConnections == 1, Wait, "the refusal counted");
        await first.GetStream().WriteAsync("cap.a:1|c\n"u8.ToArray(), Ct);
        await Eventually.AssertAsync(() => statsd.Server.Aggregator.Statistics.Lines == 1, Wait, "a line on a connection under the cap");
    }

    [Fact]
    public async Task The_management_port_is_bounded_too()
    {
        await using var statsd = await StartAsync(FreePort.Tcp(), new JsonObject
        {
            ["mgmt_maxLineLength"] = 100,
            // Long enough that the idle connection is still open when the over-the-cap one arrives, even on a
            // loaded machine (300 ms failed once in a full run); the close is still waited for, not timed.
            ["mgmt_idleTimeout"] = 3000,
            ["mgmt_maxConnections"] = 1,
        });
        var management = statsd.Server.Management!;

        // 1 MB of garbage without a newline: the connection is closed once the line passes 100 bytes.
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, statsd.MgmtPort, Ct);
            await WriteAllowingResetAsync(client, Encoding.ASCII.GetBytes(new string('g', 1_000_000)));
            Assert.True(await ClosedByServerAsync(client), "the management connection with an over-long line stayed open");
        }

        await Eventually.AssertAsync(() => management.LinesTooLong == 1, Wait, "the over-long management line counted");
        // The server may still be releasing the closed connection's slot; the cap of one must be free again first.
        await Eventually.AssertAsync(() => management.OpenConnections == 0, Wait, "the over-long connection released");

        // An idle management connection is closed; while it is open a second one is over the cap.
        using (var idle = new TcpClient())
        {
            await idle.ConnectAsync(IPAddress.Loopback, statsd.MgmtPort, Ct);
            await Eventually.AssertAsync(() => management.OpenConnections == 1, Wait, "the idle connection served");
            Assert.True(await ConnectAndSeeClosedAsync(statsd.MgmtPort), "the management connection over the cap stayed open");

            Assert.True(await ClosedByServerAsync(idle), "the idle management connection stayed open");
        }

        await Eventually.AssertAsync(() => management.RefusedConnections == 1, Wait, "the management refusal counted");
        await Eventually.AssertAsync(() => management.OpenConnections == 0, Wait, "the idle connection released");
        Assert.Equal("health: up\n", await statsd.ManageAsync("health"));
    }
}
