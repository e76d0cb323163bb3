using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Opskit.Statsd.Configuration;

namespace Opskit.Statsd.Input;

/// <summary>
/// A UDP listener with several receive loops (issue 4): on Linux each loop has its own socket bound with
/// SO_REUSEPORT (the kernel spreads senders across them) and receives in batches with <c>recvmmsg</c> into a
/// pinned buffer; elsewhere the loops share one socket and receive one datagram at a time.
/// </summary>
internal sealed class UdpInput : IAsyncDisposable
{
    private const int SlotSize = 65536;
    private const int BatchSize = 32;
    private readonly List<Socket> _sockets = [];
    private readonly List<Thread> _threads = [];
    private readonly ILogger _logger;
    private volatile bool _stopping;

    private UdpInput(ILogger logger) => _logger = logger;

    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>Effective SO_RCVBUF of the first socket (what the kernel granted, not what was asked).</summary>
    public int EffectiveReceiveBuffer { get; private set; }

    /// <summary>Binds the sockets and starts the receive loops.</summary>
    public static UdpInput Start(ServerConfig server, int readers, int receiveBuffer, Func<PacketProcessor> processors, ILogger logger)
    {
        var input = new UdpInput(logger);
        try
        {
            input.Bind(server, readers, receiveBuffer);
            var perSocket = OperatingSystem.IsLinux();
            for (var i = 0; i < readers; i++)
            {
                var socket = perSocket ? input._sockets[i] : input._sockets[0];
                var processor = processors();
                var thread = new Thread(() => input.Run(socket, processor))
                {
                    IsBackground = true,
                    Name = $"statsd-udp-{input.LocalEndPoint.Port}-{i}",
                };
                input._threads.Add(thread);
                thread.Start();
            }

            Log.Listening(logger, "UDP", input.LocalEndPoint.ToString(), readers);
            return input;
        }
        catch
        {
            input.CloseSockets();
            throw;
        }
    }

    private void Bind(ServerConfig server, int readers, int receiveBuffer)
    {
        var address = ResolveAddress(server.Address, server.Ipv6);
        var port = server.Port;
        var count = OperatingSystem.IsLinux() ? readers : 1;
        if (count > 1 && port != 0)
        {
            // SO_REUSEPORT would silently share the port with another daemon of the same user (and split its
            // traffic); a plain bind first fails if anything holds the port.
            using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(address, port));
        }

        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            _sockets.Add(socket);
            if (OperatingSystem.IsLinux() && count > 1)
            {
                socket.SetRawSocketOption(LinuxSocket.SolSocket, LinuxSocket.SoReusePort, BitConverter.GetBytes(1));
            }

            SetReceiveBuffer(socket, receiveBuffer);
            socket.ReceiveTimeout = 100; // how quickly a stopping loop notices
            socket.Bind(new IPEndPoint(address, port));
            LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
            port = LocalEndPoint.Port; // port 0: the rest join the port the first one got
        }

        EffectiveReceiveBuffer = _sockets[0].ReceiveBufferSize;
        // Linux reports twice what it grants for bookkeeping; compare like with like.
        var granted = OperatingSystem.IsLinux() ? EffectiveReceiveBuffer / 2 : EffectiveReceiveBuffer;
        if (granted < receiveBuffer)
        {
            Log.ReceiveBufferCapped(_logger, LocalEndPoint.ToString(), granted, receiveBuffer);
        }
    }

    private static void SetReceiveBuffer(Socket socket, int bytes)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // As root this ignores net.core.rmem_max; otherwise it fails and SO_RCVBUF below applies.
                socket.SetRawSocketOption(LinuxSocket.SolSocket, LinuxSocket.SoRcvBufForce, BitConverter.GetBytes(bytes));
                return;
            }
            catch (SocketException)
            {
                // Not permitted: fall through.
            }
        }

        socket.ReceiveBufferSize = bytes;
    }

    internal static IPAddress ResolveAddress(string address, bool ipv6)
    {
        if (IPAddress.TryParse(address, out var parsed))
        {
            return parsed;
        }

        var family = ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        foreach (var candidate in Dns.GetHostAddresses(address))
        {
            if (candidate.AddressFamily == family)
            {
                return candidate;
            }
        }

        throw new SocketException((int)SocketError.HostNotFound);
    }

    private void Run(Socket socket, PacketProcessor processor)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                RunBatched(socket, processor);
            }
            else
            {
                RunSimple(socket, processor);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            if (!_stopping)
            {
                Log.ReceiveLoopFailed(_logger, LocalEndPoint.ToString(), ex);
            }
        }
        finally
        {
            processor.Commit();
        }
    }

    private unsafe void RunBatched(Socket socket, PacketProcessor processor)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(SlotSize * BatchSize, pinned: true);
        var iovecs = new LinuxSocket.IoVec[BatchSize];
        var headers = new LinuxSocket.MMsgHdr[BatchSize];
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        fixed (byte* data = buffer)
        fixed (LinuxSocket.IoVec* iov = iovecs)
        fixed (LinuxSocket.MMsgHdr* msgs = headers)
        {
            for (var i = 0; i < BatchSize; i++)
            {
                iov[i].Base = data + (i * SlotSize);
                iov[i].Length = SlotSize;
                msgs[i].Header.Iov = &iov[i];
                msgs[i].Header.IovLength = 1;
            }

            while (!_stopping)
            {
                var received = LinuxSocket.RecvMMsg(fd, msgs, BatchSize, LinuxSocket.MsgWaitForOne, null);
                if (received < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is LinuxSocket.EAgain or LinuxSocket.EIntr)
                    {
                        continue;
                    }

                    throw new SocketException(errno);
                }

                for (var i = 0; i < received; i++)
                {
                    processor.Process(new ReadOnlySpan<byte>(data + (i * SlotSize), (int)msgs[i].Length), tcp: false);
                }

                processor.Commit();
            }
        }
    }

    private void RunSimple(Socket socket, PacketProcessor processor)
    {
        var buffer = new byte[SlotSize];
        while (!_stopping)
        {
            int received;
            try
            {
                received = socket.Receive(buffer);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }

            processor.Process(buffer.AsSpan(0, received), tcp: false);
            processor.Commit();
        }
    }

    /// <summary>Datagrams the kernel dropped on sockets bound to our port (/proc/net/udp, udp6 "drops" column).</summary>
    public long ReadKernelDrops()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var portHex = ":" + LocalEndPoint.Port.ToString("X4", CultureInfo.InvariantCulture);
        long drops = 0;
        foreach (var file in (string[])["/proc/net/udp", "/proc/net/udp6"])
        {
            try
            {
                foreach (var line in File.ReadLines(file).Skip(1))
                {
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length >= 13 && fields[1].EndsWith(portHex, StringComparison.Ordinal)
                        && long.TryParse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out var d))
                    {
                        drops += d;
                    }
                }
            }
            catch (IOException)
            {
                // Not available (container without /proc/net): report what we could read.
            }
        }

        return drops;
    }

    /// <summary>Stops the loops (they finish their current batch and commit it) and closes the sockets.</summary>
    public ValueTask DisposeAsync()
    {
        _stopping = true;
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }

        CloseSockets();
        return ValueTask.CompletedTask;
    }

    private void CloseSockets()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }
}
