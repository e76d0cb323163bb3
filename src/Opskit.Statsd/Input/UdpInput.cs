using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Opskit.Statsd.Configuration;

namespace Opskit.Statsd.Input;

/// <summary>
/// A UDP listener with several receive loops (issue 4). On Linux the loops receive in batches with
/// <c>recvmmsg</c> into pinned buffers, either all from one shared socket (the kernel wakes one waiting loop
/// per arrival, so a single sender keeps every loop busy) or each from its own socket bound with SO_REUSEPORT
/// (the kernel hashes each sender to one socket). Elsewhere the loops share one socket and receive one
/// datagram at a time.
/// </summary>
internal sealed class UdpInput : IAsyncDisposable
{
    private const int SlotSize = 65536;
    private const int BatchSize = 32;

    /// <summary>
    /// Pause after a batch that emptied the socket queue, so the next recvmmsg finds a full batch waiting. Without
    /// it, at moderate rates every datagram or two costs a wake-up, a syscall, the hand-off between loops and a
    /// shard wake-up. Statsd aggregates for seconds, so a millisecond of added latency costs nothing.
    /// </summary>
    private const int CoalesceMilliseconds = 1;

    /// <summary>
    /// Smallest effective receive buffer with which loops pause (<see cref="CoalesceMilliseconds"/>). A small
    /// datagram takes about 1 KiB of buffer in the kernel, so 2 MiB holds a millisecond of two million packets
    /// a second; a buffer the kernel capped (net.core.rmem_max, 208 KiB by default) could overflow in the
    /// pause, and then the loops never pause.
    /// </summary>
    private const int CoalesceMinimumBuffer = 2 * 1024 * 1024;
    private readonly List<Socket> _sockets = [];
    private readonly List<Thread> _threads = [];
    private readonly ILogger _logger;
    private readonly object _receiveGate = new();
    private readonly object _turnGate = new();
    private volatile bool _stopping;
    private long _nextTicket;
    private long _turn;

    private UdpInput(ILogger logger) => _logger = logger;

    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>Effective SO_RCVBUF of the first socket (what the kernel granted, not what was asked).</summary>
    public int EffectiveReceiveBuffer { get; private set; }

    /// <summary>
    /// Binds the socket(s) and starts <paramref name="readers"/> receive loops; on Linux with
    /// <paramref name="reusePort"/> a socket per loop with SO_REUSEPORT instead of one shared socket.
    /// </summary>
    public static UdpInput Start(ServerConfig server, int readers, bool reusePort, int receiveBuffer, Func<PacketProcessor> processors, ILogger logger)
    {
        var input = new UdpInput(logger);
        try
        {
            var perSocket = OperatingSystem.IsLinux() && reusePort;
            input.Bind(server, perSocket ? readers : 1, receiveBuffer);
            for (var i = 0; i < readers; i++)
            {
                var socket = perSocket ? input._sockets[i] : input._sockets[0];
                var processor = processors();
                var shared = OperatingSystem.IsLinux() && !perSocket && readers > 1;
                var thread = new Thread(() => input.Run(socket, processor, shared))
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

    private void Bind(ServerConfig server, int count, int receiveBuffer)
    {
        var address = ResolveAddress(server.Address, server.Ipv6);
        var port = server.Port;
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

    private void Run(Socket socket, PacketProcessor processor, bool shared)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                RunBatched(socket, processor, shared);
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

    /// <remarks>
    /// Shared socket: the loops take turns to receive (one recvmmsg at a time, under a lock, which also hands out
    /// a ticket and the batch's arrival epoch), parse their batches in parallel, and publish them (blocks to the
    /// shards, packets to the repeater) strictly in ticket order. So the datagrams of one sender are applied in
    /// the order the kernel queued them, as with one loop: a gauge set then changed by the next packet, and the
    /// repeater's output, keep their order.
    /// </remarks>
    private unsafe void RunBatched(Socket socket, PacketProcessor processor, bool shared)
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
                int received;
                var errno = 0;
                long ticket = 0;
                if (shared)
                {
                    lock (_receiveGate)
                    {
                        received = LinuxSocket.RecvMMsg(fd, msgs, BatchSize, LinuxSocket.MsgWaitForOne, null);
                        if (received > 0)
                        {
                            ticket = _nextTicket++;
                            processor.BeginBatch();
                        }
                        else
                        {
                            errno = Marshal.GetLastPInvokeError();
                        }
                    }
                }
                else
                {
                    received = LinuxSocket.RecvMMsg(fd, msgs, BatchSize, LinuxSocket.MsgWaitForOne, null);
                    errno = received < 0 ? Marshal.GetLastPInvokeError() : 0;
                }

                if (received <= 0)
                {
                    if (errno is LinuxSocket.EAgain or LinuxSocket.EIntr || received == 0)
                    {
                        continue;
                    }

                    throw new SocketException(errno);
                }

                if (!shared)
                {
                    for (var i = 0; i < received; i++)
                    {
                        processor.Process(new ReadOnlySpan<byte>(data + (i * SlotSize), (int)msgs[i].Length), tcp: false);
                    }

                    processor.Commit();
                    Coalesce(received);
                    continue;
                }

                try
                {
                    for (var i = 0; i < received; i++)
                    {
                        processor.Process(new ReadOnlySpan<byte>(data + (i * SlotSize), (int)msgs[i].Length), tcp: false, observe: false);
                    }
                }
                finally
                {
                    // Publish in ticket order; a loop that dies still passes its turn on, and stopping loops stop waiting.
                    // A monitor, not a spin: on a busy 2-core machine a spinning loop takes the CPU from the
                    // very loop it waits for.
                    lock (_turnGate)
                    {
                        while (_turn != ticket && !_stopping)
                        {
                            Monitor.Wait(_turnGate, 100);
                        }
                    }

                    try
                    {
                        for (var i = 0; i < received; i++)
                        {
                            processor.Observe(new ReadOnlySpan<byte>(data + (i * SlotSize), (int)msgs[i].Length), tcp: false);
                        }

                        processor.Commit();
                    }
                    finally
                    {
                        lock (_turnGate)
                        {
                            _turn = ticket + 1;
                            Monitor.PulseAll(_turnGate);
                        }
                    }
                }

                Coalesce(received);
            }
        }
    }

    /// <summary>
    /// Sleeps <see cref="CoalesceMilliseconds"/> when the last batch was not full (the queue is empty) and the
    /// receive buffer is large enough to hold the pause.
    /// </summary>
    private void Coalesce(int received)
    {
        if (received < BatchSize && EffectiveReceiveBuffer >= CoalesceMinimumBuffer && !_stopping)
        {
            Thread.Sleep(CoalesceMilliseconds);
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
