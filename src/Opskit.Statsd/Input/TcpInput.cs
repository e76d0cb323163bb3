using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Opskit.Statsd.Configuration;
using Opskit.Statsd.Net;

namespace Opskit.Statsd.Input;

/// <summary>
/// Etsy's <c>servers/tcp</c>: each connection's bytes are buffered and everything up to the last newline is
/// handled as one packet. Like Etsy it reads the stream as 'ascii' (high bit cleared). Beyond Etsy, a final
/// line without a newline is still handled when the client closes, so nothing sent is lost; and every
/// connection is bounded (issue 21): a line longer than <see cref="TcpLimits.MaxLineLength"/> is a bad line and
/// closes the connection (the buffer never grows past the limit), a connection silent for
/// <see cref="TcpLimits.IdleTimeoutMs"/> is closed, and at most <see cref="TcpLimits.MaxConnections"/> are open.
/// </summary>
internal sealed class TcpInput : IAsyncDisposable
{
    private const int InitialBuffer = 64 * 1024;
    private readonly Func<PacketProcessor> _processors;
    private readonly TcpLimits _limits;
    private readonly ILogger _logger;
    private TcpAcceptLoop? _loop;
    private long _tooLong;
    private long _idleClosed;

    private TcpInput(Func<PacketProcessor> processors, TcpLimits limits, ILogger logger)
    {
        _processors = processors;
        _limits = limits;
        _logger = logger;
    }

    public IPEndPoint LocalEndPoint => _loop!.LocalEndPoint;

    /// <summary>Connections being served now.</summary>
    public int OpenConnections => _loop!.OpenConnections;

    /// <summary>Connections refused because <see cref="TcpLimits.MaxConnections"/> were open.</summary>
    public long RefusedConnections => _loop!.RefusedConnections;

    /// <summary>Connections closed for a line over <see cref="TcpLimits.MaxLineLength"/>.</summary>
    public long LinesTooLong => Interlocked.Read(ref _tooLong);

    /// <summary>Connections closed after <see cref="TcpLimits.IdleTimeoutMs"/> of silence.</summary>
    public long IdleClosed => Interlocked.Read(ref _idleClosed);

    public static TcpInput Start(ServerConfig server, TcpLimits limits, Func<PacketProcessor> processors, ILogger logger)
    {
        var input = new TcpInput(processors, limits, logger);
        input._loop = TcpAcceptLoop.Start(UdpInput.ResolveAddress(server.Address, server.Ipv6), server.Port, 512, input.HandleAsync, limits.MaxConnections);
        Log.Listening(logger, "TCP", input.LocalEndPoint.ToString(), 1);
        return input;
    }

    private async Task HandleAsync(Socket client, CancellationToken stopping)
    {
        var processor = _processors();
        var remote = client.RemoteEndPoint?.ToString() ?? "?"; // read now: the socket is disposed before the catch below
        var maxLine = _limits.MaxLineLength;
        var idle = TimeSpan.FromMilliseconds(_limits.IdleTimeoutMs);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBuffer, maxLine + 1));
        var filled = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        try
        {
            using (client)
            {
                while (true)
                {
                    if (filled == buffer.Length)
                    {
                        // Only a line without its newline stays in the buffer, and it is at most maxLine bytes
                        // (checked below), so the buffer never grows past the next power of two above maxLine.
                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxLine + 1));
                        buffer.AsSpan(0, filled).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    int read;
                    try
                    {
                        timeout.CancelAfter(idle);
                        read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        if (!stopping.IsCancellationRequested)
                        {
                            Interlocked.Increment(ref _idleClosed);
                            Log.TcpIdleClosed(_logger, remote, _limits.IdleTimeoutMs);
                        }

                        read = 0;
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    ClearHighBits(buffer.AsSpan(filled, read));
                    filled += read;
                    var last = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n');
                    if (last >= 0)
                    {
                        var packet = buffer.AsSpan(0, last + 1);
                        if (packet.Length > maxLine && LongestLine(packet) > maxLine)
                        {
                            TooLong(processor, remote);
                            filled = 0;
                            return;
                        }

                        processor.Process(packet, tcp: true);
                        processor.Commit();
                        buffer.AsSpan(last + 1, filled - last - 1).CopyTo(buffer);
                        filled -= last + 1;
                    }

                    if (filled > maxLine)
                    {
                        TooLong(processor, remote);
                        filled = 0;
                        return;
                    }
                }
            }

            if (filled > 0)
            {
                processor.Process(buffer.AsSpan(0, filled), tcp: true);
            }
        }
        catch (SocketException ex)
        {
            Log.TcpConnectionFailed(_logger, remote, ex);
        }
        finally
        {
            processor.Commit();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void TooLong(PacketProcessor processor, string remote)
    {
        // The received chunk holding the line is dropped and counted as one bad line; earlier chunks were handled.
        processor.CountBadLine();
        if (Interlocked.Increment(ref _tooLong) % 1000 == 1)
        {
            Log.TcpLineTooLong(_logger, remote, _limits.MaxLineLength);
        }
    }

    /// <summary>Length of the longest line (without its newline) in a newline-terminated packet.</summary>
    internal static int LongestLine(ReadOnlySpan<byte> packet)
    {
        var longest = 0;
        while (!packet.IsEmpty)
        {
            var newline = packet.IndexOf((byte)'\n');
            var length = newline < 0 ? packet.Length : newline;
            longest = Math.Max(longest, length);
            packet = newline < 0 ? default : packet[(newline + 1)..];
        }

        return longest;
    }

    private static void ClearHighBits(Span<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] &= 0x7F;
        }
    }

    public ValueTask DisposeAsync() => _loop?.DisposeAsync() ?? ValueTask.CompletedTask;
}
