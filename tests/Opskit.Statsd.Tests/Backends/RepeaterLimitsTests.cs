using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Opskit.Statsd.Backends.Repeater;
using Opskit.Statsd.Configuration;
using Opskit.Testing;

namespace Opskit.Statsd.Tests.Backends;

/// <summary>Issue 21, point 4: the repeater's outgoing TCP connection is bounded like the inputs.</summary>
public sealed class RepeaterLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_tcp_target_that_stops_reading_does_not_hold_up_the_others()
    {
        // Target 1 never accepts and its accept queue is full, so a connect to it hangs (Linux drops the SYNs);
        // target 2 reads everything. Without a connect timeout the repeater's one send loop hung on target 1.
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stalled.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        stalled.Listen(1);
        var fillers = new List<Socket>();
        for (var i = 0; i < 4; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            fillers.Add(filler);
            _ = filler.ConnectAsync(stalled.LocalEndPoint!, Ct).AsTask();
        }

        using var reading = new TcpListener(IPAddress.Loopback, 0);
        reading.Start();
        var received = new MemoryStream();
        var readerTask = Task.Run(
            async () =>
            {
                using var client = await reading.AcceptTcpClientAsync(Ct);
                var buffer = new byte[65536];
                int read;
                while ((read = await client.GetStream().ReadAsync(buffer, Ct)) > 0)
                {
                    lock (received)
                    {
                        received.Write(buffer, 0, read);
                    }
                }
            },
            Ct);

        var repeater = new RepeaterBackend(
            [new RepeaterTarget("127.0.0.1", ((IPEndPoint)stalled.LocalEndPoint!).Port), new RepeaterTarget("127.0.0.1", ((IPEndPoint)reading.LocalEndpoint).Port)],
            "tcp",
            NullLogger.Instance,
            timeoutMs: 300);
        var packet = Encoding.ASCII.GetBytes("rep.key:1|c" + new string(' ', 1000));
        const int Packets = 200;
        for (var i = 0; i < Packets; i++)
        {
            repeater.OnPacket(packet, tcp: false);
            if (i % 500 == 0)
            {
                await Task.Yield();
            }
        }

        packet = "rep.last:1|c"u8.ToArray();
        repeater.OnPacket(packet, tcp: false);
        await Eventually.AssertAsync(
            () =>
            {
                lock (received)
                {
                    return received.Length >= 13
                        && Encoding.ASCII.GetString(received.GetBuffer(), (int)received.Length - 13, 13) == "rep.last:1|c\n";
                }
            },
            TimeSpan.FromSeconds(60),
            "the last packet at the reading target");
        var status = repeater.Status().ToDictionary(s => s.Key, s => s.Value);
        Assert.True(status["send_errors"] > 0, $"the stalled target's failures were not counted: {string.Join(", ", status)}");
        await repeater.DisposeAsync();
        fillers.ForEach(f => f.Dispose());
    }
}
