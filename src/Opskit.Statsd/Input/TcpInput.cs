using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Opskit.Statsd.Configuration;

namespace Opskit.Statsd.Input;

/// <summary>
/// Etsy's <c>servers/tcp</c>: each connection's bytes are buffered and everything up to the last newline is
/// handled as one packet. Like Etsy it reads the stream as 'ascii' (high bit cleared). Beyond Etsy, a final
/// line without a newline is still handled when the client closes, so nothing sent is lost.
/// </summary>
internal sealed class TcpInput : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<PacketProcessor> _processors;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];
    private readonly Lock _gate = new();

    private TcpInput(Socket listener, Func<PacketProcessor> processors, ILogger logger)
    {
        _listener = listener;
        _processors = processors;
        _logger = logger;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptAsync);
    }

    public IPEndPoint LocalEndPoint { get; }

    public static TcpInput Start(ServerConfig server, Func<PacketProcessor> processors, ILogger logger)
    {
        var address = UdpInput.ResolveAddress(server.Address, server.Ipv6);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // As Node does: a restart must not fail while the last connections sit in TIME_WAIT.
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(address, server.Port));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        var input = new TcpInput(listener, processors, logger);
        Log.Listening(logger, "TCP", input.LocalEndPoint.ToString(), 1);
        return input;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_gate)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(Task.Run(() => HandleAsync(client)));
            }
        }
    }

    private async Task HandleAsync(Socket client)
    {
        var processor = _processors();
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
                        read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token).ConfigureAwait(false);
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
            Log.TcpConnectionFailed(_logger, client.RemoteEndPoint?.ToString() ?? "?", ex);
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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stop.Dispose();
    }
}
