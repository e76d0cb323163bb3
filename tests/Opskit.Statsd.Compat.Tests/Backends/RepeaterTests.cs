using System.Net;
using System.Net.Sockets;
using System.Text;
using Opskit.Statsd.Compat.Tests.Support;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.Backends;

/// <summary>
/// Etsy's <c>backends/repeater</c> over UDP (its <c>test/repeater_tests.js</c> checks the same):
/// every datagram received, good or bad, is forwarded unchanged to each configured host.
/// </summary>
public sealed class RepeaterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(StatsdDaemon.Etsy)]
    [InlineData(StatsdDaemon.Opskit)]
    public async Task Repeater_forwards_every_datagram_unchanged(string daemon)
    {
        var ct = TestContext.Current.CancellationToken;
        using var first = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var second = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var config = new EtsyConfig
        {
            { "flushInterval", 600_000 },
            { "backends", new[] { "./backends/repeater" } },
            { "repeaterProtocol", "udp4" },
            { "repeater", new[] { Target(first), Target(second) } },
        };
        await using var statsd = await StatsdDaemon.StartAsync(daemon, config);
        string[] packets = ["repeated.requests:1|c", "repeated.latency:12|ms\nrepeated.queue:+3|g", "not a metric at all", "tagged:1|c|#env:prod"];

        foreach (var packet in packets)
        {
            await statsd.SendAsync(packet);
        }

        foreach (var target in new[] { first, second })
        {
            var received = new List<string>();
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(Timeout);
            while (received.Count < packets.Length)
            {
                var result = await target.ReceiveAsync(cts.Token);
                received.Add(Encoding.UTF8.GetString(result.Buffer));
            }

            Assert.Equal(packets, received);
        }
    }

    private static EtsyConfig Target(UdpClient client) => new()
    {
        { "host", "127.0.0.1" },
        { "port", ((IPEndPoint)client.Client.LocalEndPoint!).Port },
    };
}
