using System.Net;
using System.Net.Sockets;
using System.Text;
using Opskit.Testing;

namespace Opskit.Statsd.Compat.Tests.Support;

/// <summary>
/// A statsd daemon started as a process with an Etsy-format config on free loopback ports, ready
/// once it logged <c>server is up</c> (what Etsy's own tests wait for), stopped by PID on dispose.
/// Two implementations: Etsy's statsd 0.9.0 on Node.js, and <c>opskit statsd</c>.
/// </summary>
internal abstract class StatsdDaemon : IAsyncDisposable
{
    public const string Etsy = "etsy";
    public const string Opskit = "opskit";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly UdpClient _udp = new(AddressFamily.InterNetwork);

    protected StatsdDaemon(string name, TempDirectory directory, EtsyConfig config)
    {
        Name = name;
        Directory = directory;
        Config = config;
        Port = config.ContainsKey("port") ? Convert.ToInt32(config["port"], System.Globalization.CultureInfo.InvariantCulture) : FreePort.Udp();
        MgmtPort = config.ContainsKey("mgmt_port") ? Convert.ToInt32(config["mgmt_port"], System.Globalization.CultureInfo.InvariantCulture) : FreePort.Tcp();
        config["port"] = Port;
        config["address"] = "127.0.0.1";
        config["mgmt_port"] = MgmtPort;
        config["mgmt_address"] = "127.0.0.1";
        ConfigPath = directory.File("config.js");
        config.WriteTo(ConfigPath);
    }

    /// <summary><see cref="Etsy"/> or <see cref="Opskit"/>.</summary>
    public string Name { get; }

    /// <summary>UDP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Management TCP port on 127.0.0.1.</summary>
    public int MgmtPort { get; }

    public EtsyConfig Config { get; }

    public string ConfigPath { get; }

    public ExternalProcess Process { get; private set; } = null!;

    protected TempDirectory Directory { get; }

    /// <summary>Starts <paramref name="name"/> (<see cref="Etsy"/> or <see cref="Opskit"/>) and waits for <c>server is up</c>.</summary>
    public static async Task<StatsdDaemon> StartAsync(string name, EtsyConfig config)
    {
        var directory = new TempDirectory($"statsd-{name}");
        StatsdDaemon daemon = name switch
        {
            Etsy => new EtsyStatsd(directory, config),
            Opskit => new OpskitStatsd(directory, config),
            _ => throw new ArgumentException($"unknown daemon '{name}'", nameof(name)),
        };
        try
        {
            daemon.Process = daemon.Launch();
            await daemon.Process.WaitForOutputAsync("server is up", StartTimeout);

            // Node binds UDP asynchronously, so Etsy can log "server is up" a moment before its
            // socket exists; a datagram sent then is lost. Wait until the kernel lists the socket.
            if (!await Eventually.TryAsync(() => UdpSocketIsBound(daemon.Port), StartTimeout))
            {
                throw new TimeoutException($"{name} logged 'server is up' but UDP port {daemon.Port} is not bound. Output:\n{daemon.Process.Output}");
            }

            // The same for the management port: Node listens on it asynchronously too, and a command sent at once
            // was refused once in a full run (ManagementReplyTests, Etsy side).
            await daemon.Process.WaitForTcpPortAsync(daemon.MgmtPort, StartTimeout);

            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one datagram to the daemon (Etsy's tests' <c>statsd_send</c>).</summary>
    public async Task SendAsync(string packet)
    {
        var bytes = Encoding.UTF8.GetBytes(packet);
        await _udp.SendAsync(bytes, new IPEndPoint(IPAddress.Loopback, Port));
    }

    /// <summary>Sends one datagram of raw bytes.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> packet) =>
        await _udp.SendAsync(packet, new IPEndPoint(IPAddress.Loopback, Port));

    /// <summary>Sends <paramref name="command"/> to the management port and reads until <paramref name="terminator"/> appears.</summary>
    public async Task<string> ManagementAsync(string command, string terminator, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, MgmtPort, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\n"), cts.Token);
        var reply = new StringBuilder();
        var buffer = new byte[4096];
        while (!reply.ToString().Contains(terminator, StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cts.Token);
            if (read == 0)
            {
                break;
            }

            reply.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return reply.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Process is not null)
            {
                await Process.DisposeAsync();
            }
        }
        finally
        {
            _udp.Dispose();
            Directory.Dispose();
        }
    }

    public override string ToString() => Name;

    /// <summary>
    /// True when the kernel holds no unread datagrams for the daemon's UDP socket (the rx_queue
    /// column of /proc/net/udp is 0): everything sent so far has been read by the daemon.
    /// </summary>
    public bool UdpQueueIsDrained()
    {
        var suffix = ":" + Port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var line in File.ReadLines("/proc/net/udp").Skip(1))
        {
            var fields = line.TrimStart().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[1].EndsWith(suffix, StringComparison.Ordinal) && fields[4].Split(':')[1] != "00000000")
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when /proc/net/udp lists a socket bound to 127.0.0.1 (or any address) on <paramref name="port"/>.</summary>
    private static bool UdpSocketIsBound(int port)
    {
        var suffix = ":" + port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var line in File.ReadLines("/proc/net/udp").Skip(1))
        {
            var local = line.TrimStart().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            if (local.EndsWith(suffix, StringComparison.Ordinal) && (local.StartsWith("0100007F", StringComparison.Ordinal) || local.StartsWith("00000000", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    protected abstract ExternalProcess Launch();
}
