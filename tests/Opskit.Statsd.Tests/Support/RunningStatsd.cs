using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Opskit.Statsd.Configuration;
using Opskit.Testing;
using Opskit.Testing.Graphite;

namespace Opskit.Statsd.Tests.Support;

/// <summary>An in-process daemon on free loopback ports, with helpers to send to it and to talk to its management port.</summary>
internal sealed class RunningStatsd : IAsyncDisposable
{
    private RunningStatsd(StatsdServer server, StringWriter console)
    {
        Server = server;
        Console = console;
    }

    public StatsdServer Server { get; }

    public StringWriter Console { get; }

    public int UdpPort => Server.UdpEndPoints[0].Port;

    public int MgmtPort => Server.ManagementEndPoint!.Port;

    /// <summary>Starts with <paramref name="config"/>; fills in free ports and a long flush interval unless given.</summary>
    public static async Task<RunningStatsd> StartAsync(JsonObject config, string? configPath = null, TimeProvider? time = null)
    {
        config["address"] ??= "127.0.0.1";
        config["port"] ??= FreePort.Udp();
        config["mgmt_port"] ??= FreePort.Tcp();
        config["flushInterval"] ??= 3_600_000;
        config["udpReaders"] ??= 2;
        config["aggregationShards"] ??= 2;
        var console = new StringWriter();
        var server = await StatsdServer.StartAsync(
            StatsdConfig.FromObject(config), configPath, NullLoggerFactory.Instance, time ?? TimeProvider.System, console,
            TestContext.Current.CancellationToken);
        return new RunningStatsd(server, console);
    }

    public static JsonObject GraphiteConfig(FakeGraphite graphite, bool legacy = false)
    {
        var config = new JsonObject
        {
            ["graphiteHost"] = "127.0.0.1",
            ["graphitePort"] = graphite.Port,
            ["backends"] = new JsonArray("./backends/graphite"),
        };
        if (!legacy)
        {
            config["graphite"] = new JsonObject { ["legacyNamespace"] = false };
        }

        return config;
    }

    /// <summary>Sends one UDP datagram and waits until the daemon counted it.</summary>
    public async Task SendAsync(string packet)
    {
        var before = Server.Aggregator.Statistics.Datagrams;
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(Encoding.UTF8.GetBytes(packet), new IPEndPoint(IPAddress.Loopback, UdpPort), TestContext.Current.CancellationToken);
        await Eventually.AssertAsync(() => Server.Aggregator.Statistics.Datagrams > before, TimeSpan.FromSeconds(10), "the datagram to be counted");
    }

    /// <summary>Sends management commands (one per line) and returns everything the daemon wrote until it closed or went quiet.</summary>
    public async Task<string> ManageAsync(params string[] commands)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, MgmtPort, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        var request = string.Join("\n", commands) + "\nquit\n";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request), TestContext.Current.CancellationToken);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        return Encoding.UTF8.GetString(memory.ToArray());
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
