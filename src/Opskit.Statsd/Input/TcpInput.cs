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
/// line without a newline is still handled when the client closes, so nothing sent is lost.
/// </summary>
internal sealed class TcpInput : IAsyncDisposable
{
    private readonly Func<PacketProcessor> _processors;
    private readonly ILogger _logger;
    private TcpAcceptLoop? _loop;

    private TcpInput(Func<PacketProcessor> processors, ILogger logger)
    {
        _processors = processors;
        _logger = logger;
    }

    public IPEndPoint LocalEndPoint => _loop!.LocalEndPoint;

    public static TcpInput Start(ServerConfig server, Func<PacketProcessor> processors, ILogger logger)
    {
        var input = new TcpInput(processors, logger);
        input._loop = TcpAcceptLoop.Start(UdpInput.ResolveAddress(server.Address, server.Ipv6), server.Port, 512, input.HandleAsync);
        Log.Listening(logger, "TCP", input.LocalEndPoint.ToString(), 1);
        return input;
    }

    private async Task HandleAsync(Socket client, CancellationToken stopping)
    {
        var processor = _processors();
        var remote = client.RemoteEndPoint?.ToString() ?? "?"; // read now: the socket is disposed before the catch below
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var filled = 0;
        try
        {
            using (client)
            {
                while (true)
                {
                    if (filled == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, filled).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    int read;
                    try
                    {
                        read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, stopping).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
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
                        processor.Process(buffer.AsSpan(0, last + 1), tcp: true);
                        processor.Commit();
                        buffer.AsSpan(last + 1, filled - last - 1).CopyTo(buffer);
                        filled -= last + 1;
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

    private static void ClearHighBits(Span<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] &= 0x7F;
        }
    }

    public ValueTask DisposeAsync() => _loop?.DisposeAsync() ?? ValueTask.CompletedTask;
}
