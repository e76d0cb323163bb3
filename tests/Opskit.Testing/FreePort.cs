using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Opskit.Testing;

/// <summary>
/// Ports on 127.0.0.1 that nothing is bound to right now.
/// </summary>
/// <remarks>
/// Ports are drawn below the kernel's ephemeral range (<c>net.ipv4.ip_local_port_range</c>). A port
/// that the kernel handed out for "port 0" can be handed out again a moment later to any client
/// socket (a UDP sender, an outgoing TCP connection) before the daemon under test binds it; ports
/// outside that range are never auto-assigned, so only another explicit bind can take them. Each
/// port is handed out once per test process.
/// </remarks>
public static class FreePort
{
    private const int LowestPort = 10000;
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();
    private static readonly Lazy<int> EphemeralStart = new(ReadEphemeralStart);

    /// <summary>A free TCP port on loopback.</summary>
    public static int Tcp() => Pick(tcp: true, udp: false);

    /// <summary>A free UDP port on loopback.</summary>
    public static int Udp() => Pick(tcp: false, udp: true);

    /// <summary>A port free for both TCP and UDP, for daemons that listen on both with one number.</summary>
    public static int TcpAndUdp() => Pick(tcp: true, udp: true);

    private static int Pick(bool tcp, bool udp)
    {
        var high = EphemeralStart.Value;
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var port = Random.Shared.Next(LowestPort, high);
            if (HandedOut.ContainsKey(port) || !CanBind(port, tcp, udp))
            {
                continue;
            }

            if (HandedOut.TryAdd(port, true))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free port between {LowestPort} and {high} after 500 attempts");
    }

    private static bool CanBind(int port, bool tcp, bool udp)
    {
        try
        {
            using var tcpSocket = tcp ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) : null;
            using var udpSocket = udp ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) : null;
            tcpSocket?.Bind(new IPEndPoint(IPAddress.Loopback, port));
            udpSocket?.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int ReadEphemeralStart()
    {
        const int LinuxDefault = 32768;
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range");
            var first = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            var start = int.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
            return start > LowestPort + 1000 ? start : LinuxDefault;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return LinuxDefault;
        }
    }
}
