using System.Net;
using System.Net.Sockets;

namespace Opskit.Statsd.Net;

/// <summary>
/// A listening TCP socket whose accept loop hands each connection to a handler task, and whose disposal
/// stops accepting and waits (bounded) for the connections in flight. The TCP input and the management
/// console both serve line-framed TCP this way.
/// </summary>
internal sealed class TcpAcceptLoop : IAsyncDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);
    private readonly Socket _listener;
    private readonly Func<Socket, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _gate = new();
    private readonly Task _acceptLoop;

    private TcpAcceptLoop(Socket listener, Func<Socket, CancellationToken, Task> handler)
    {
        _listener = listener;
        _handler = handler;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptAsync);
    }

    /// <summary>The bound address (the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Binds and listens, then accepts until disposed; <paramref name="handler"/> owns each accepted socket.</summary>
    public static TcpAcceptLoop Start(IPAddress address, int port, int backlog, Func<Socket, CancellationToken, Task> handler)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // As Node does: a restart must not fail while the last connections sit in TIME_WAIT.
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(address, port));
            listener.Listen(backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new TcpAcceptLoop(listener, handler);
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
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                // A failed accept (out of file descriptors, a connection reset while queued) must not end the
                // listener for good: pause briefly so a persistent error does not spin, then accept again.
                await Task.Delay(AcceptRetryDelay, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            lock (_gate)
            {
                _connections.RemoveAll(static t => t.IsCompleted);
                _connections.Add(Task.Run(() => _handler(client, _stop.Token)));
            }
        }
    }

    /// <summary>Stops accepting, cancels the handlers' token and waits up to 5 s for them to finish.</summary>
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

        // Handlers log their own failures; one that threw or is stuck past the grace period must not stop the
        // caller's shutdown (the final flush comes after this).
        await Task.WhenAll(connections).WaitAsync(DrainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        _stop.Dispose();
    }
}
