using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Opskit.Core.Hosting;
using Opskit.Testing;

namespace Opskit.Statsd.Tests;

public sealed class StatsdToolTests
{
    [Fact]
    public void Command_accepts_config_and_its_short_alias()
    {
        var command = new StatsdTool().CreateCommand();
        Assert.Equal("statsd", command.Name);
        var option = Assert.Single(command.Options, o => o.Name == "--config");
        Assert.Contains("-c", option.Aliases);
    }

    [Fact]
    public async Task Embedded_mode_listens_on_the_up_ports_and_serves_its_flush_at_the_prometheus_endpoint()
    {
        if (!PortsFree())
        {
            Assert.Skip("UDP 8125 / TCP 8126 / TCP 9102 are in use on this machine (another statsd or opskit up)");
        }

        using var dir = new TempDirectory();
        var service = await new StatsdTool().StartEmbeddedAsync(
            new EmbeddedContext(dir.Path, NullLoggerFactory.Instance), TestContext.Current.CancellationToken);
        await using (service)
        {
            Assert.Equal("statsd", service.Name);
            Assert.Contains("udp://127.0.0.1:8125", service.Addresses);
            Assert.Contains("http://127.0.0.1:9102/metrics", service.Addresses);
            using var udp = new UdpClient(AddressFamily.InterNetwork);
            await udp.SendAsync("embedded.hits:2|c"u8.ToArray(), new IPEndPoint(IPAddress.Loopback, 8125), TestContext.Current.CancellationToken);
            using var http = new HttpClient();
            // Embedded flush interval is 10 s: poll the endpoint until that flush has arrived.
            await Eventually.AssertAsync(
                () => http.GetStringAsync("http://127.0.0.1:9102/metrics").GetAwaiter().GetResult().Contains("embedded_hits_total 2", StringComparison.Ordinal),
                TimeSpan.FromSeconds(25),
                "the embedded flush at the prometheus endpoint");
        }
    }

    private static bool PortsFree()
    {
        try
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 8125));
            using var mgmt = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            mgmt.Bind(new IPEndPoint(IPAddress.Loopback, 8126));
            using var prom = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            prom.Bind(new IPEndPoint(IPAddress.Loopback, 9102));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
