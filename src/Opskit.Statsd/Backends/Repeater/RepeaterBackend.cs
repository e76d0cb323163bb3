using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Configuration;
using Opskit.Statsd.Flushing;
using Opskit.Statsd.Input;

namespace Opskit.Statsd.Backends.Repeater;

/// <summary>
/// Etsy's repeater backend: every received packet is sent on, unchanged, to each <c>repeater</c> target over
/// udp4, udp6 or tcp (<c>repeaterProtocol</c>; tcp adds a newline per packet as Etsy does). Packets are copied
/// into pooled buffers and sent from one background task; when it falls behind, packets are dropped and counted
/// rather than slowing the receive loops. The outgoing TCP connection is bounded like the inputs (issue 21):
/// connecting and each write get <c>repeaterTimeout</c>, a target that failed is not tried again for a second
/// (its packets are counted as send errors meanwhile), and the queue holds at most 65,536 packets and 64 MiB.
/// </summary>
internal sealed partial class RepeaterBackend : IStatsdBackend, IPacketObserver
{
    private readonly IReadOnlyList<RepeaterTarget> _targets;
    private readonly string _protocol;
    private readonly ILogger _logger;
    private readonly Channel<(byte[] Buffer, int Length)> _queue;
    private readonly Task _sender;
    private const long MaxQueuedBytes = 64L * 1024 * 1024;
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);
    private readonly Dictionary<RepeaterTarget, Socket?> _tcp = [];
    private readonly Dictionary<RepeaterTarget, long> _retryAt = [];
    private readonly TimeSpan _timeout;
    private long _queuedBytes;
    private long _sent;
    private long _dropped;
    private long _errors;

    public RepeaterBackend(IReadOnlyList<RepeaterTarget> targets, string protocol, ILogger logger, int timeoutMs = 5000)
    {
        _timeout = TimeSpan.FromMilliseconds(timeoutMs);
        _targets = targets;
        _protocol = protocol;
        _logger = logger;
        _queue = Channel.CreateBounded<(byte[], int)>(
            new BoundedChannelOptions(65536) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite },
            item =>
            {
                Interlocked.Increment(ref _dropped);
                Interlocked.Add(ref _queuedBytes, -item.Item2);
                ArrayPool<byte>.Shared.Return(item.Item1);
            });
        _sender = Task.Run(SendLoopAsync);
    }

    public string Name => "repeater";

    public IEnumerable<KeyValuePair<string, double>> Status() =>
        [new("packets_sent", Interlocked.Read(ref _sent)), new("packets_dropped", Interlocked.Read(ref _dropped)), new("send_errors", Interlocked.Read(ref _errors))];

    public Task FlushAsync(MetricSnapshot snapshot, CancellationToken cancellationToken) => Task.CompletedTask;

    public void OnPacket(ReadOnlySpan<byte> packet, bool tcp)
    {
        if (Interlocked.Add(ref _queuedBytes, packet.Length) > MaxQueuedBytes)
        {
            Interlocked.Add(ref _queuedBytes, -packet.Length);
            Interlocked.Increment(ref _dropped);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(packet.Length + 1);
        packet.CopyTo(buffer);
        if (!_queue.Writer.TryWrite((buffer, packet.Length)))
        {
            Interlocked.Add(ref _queuedBytes, -packet.Length);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task SendLoopAsync()
    {
        var family = _protocol == "udp6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        using var udp = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        var endpoints = new Dictionary<RepeaterTarget, IPEndPoint?>();
        await foreach (var (buffer, length) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                foreach (var target in _targets)
                {
                    try
                    {
                        if (_protocol == "tcp")
                        {
                            buffer[length] = (byte)'\n';
                            await SendTcpAsync(target, buffer.AsMemory(0, length + 1)).ConfigureAwait(false);
                        }
                        else
                        {
                            if (!endpoints.TryGetValue(target, out var endpoint))
                            {
                                endpoint = await ResolveAsync(target, family).ConfigureAwait(false);
                                endpoints[target] = endpoint;
                            }

                            if (endpoint is not null)
                            {
                                await udp.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, endpoint).ConfigureAwait(false);
                            }
                        }

                        Interlocked.Increment(ref _sent);
                    }
                    catch (Exception ex) when (ex is SocketException or TimeoutException)
                    {
                        if (Interlocked.Increment(ref _errors) == 1)
                        {
                            LogSendFailed(_logger, target.Host, target.Port, ex.Message);
                        }
                    }
                }
            }
            finally
            {
                Interlocked.Add(ref _queuedBytes, -length);
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task SendTcpAsync(RepeaterTarget target, ReadOnlyMemory<byte> data)
    {
        _tcp.TryGetValue(target, out var socket);
        if (socket is null && _retryAt.TryGetValue(target, out var retryAt) && Environment.TickCount64 < retryAt)
        {
            throw new SocketException((int)SocketError.HostUnreachable); // still pausing after a failure
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var timeout = new CancellationTokenSource(_timeout);
            if (socket is null)
            {
                socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(target.Host, target.Port, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    socket.Dispose();
                    _tcp[target] = null;
                    _retryAt[target] = Environment.TickCount64 + (long)RetryPause.TotalMilliseconds;
                    throw ex is OperationCanceledException ? new TimeoutException($"connect timed out after {_timeout.TotalMilliseconds} ms") : ex;
                }

                _tcp[target] = socket;
            }

            try
            {
                while (!data.IsEmpty)
                {
                    data = data[await socket.SendAsync(data, SocketFlags.None, timeout.Token).ConfigureAwait(false)..];
                }

                return;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // A failed or stalled write: drop the connection (what it held may be half a packet) and, once,
                // send on a new one.
                socket.Dispose();
                socket = null;
                _tcp[target] = null;
                if (attempt == 1)
                {
                    _retryAt[target] = Environment.TickCount64 + (long)RetryPause.TotalMilliseconds;
                    throw ex is OperationCanceledException ? new TimeoutException($"write stalled for {_timeout.TotalMilliseconds} ms") : ex;
                }
            }
        }
    }

    private static async Task<IPEndPoint?> ResolveAsync(RepeaterTarget target, AddressFamily family)
    {
        if (IPAddress.TryParse(target.Host, out var address))
        {
            return new IPEndPoint(address, target.Port);
        }

        foreach (var candidate in await Dns.GetHostAddressesAsync(target.Host).ConfigureAwait(false))
        {
            if (candidate.AddressFamily == family)
            {
                return new IPEndPoint(candidate, target.Port);
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _sender.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        foreach (var socket in _tcp.Values)
        {
            socket?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "repeater: sending to {Host}:{Port} failed ({Reason}); later failures are only counted")]
    private static partial void LogSendFailed(ILogger logger, string host, int port, string reason);
}
