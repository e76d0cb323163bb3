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
    private readonly int _maxConnections;
    private int _open;
    private long _refused;

    private TcpAcceptLoop(Socket listener, Func<Socket, CancellationToken, Task> handler, int maxConnections)
    {
        _listener = listener;
        _handler = handler;
        _maxConnections = maxConnections;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptAsync);
    }

    /// <summary>The bound address (the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections being served now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Connections closed on accept because <c>maxConnections</c> were open.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);

    /// <summary>
    /// Binds and listens, then accepts until disposed; <paramref name="handler"/> owns each accepted socket. With
    /// <paramref name="maxConnections"/> open, a new connection is closed at once (and counted).
    /// </summary>
    public static TcpAcceptLoop Start(IPAddress address, int port, int backlog, Func<Socket, CancellationToken, Task> handler, int maxConnections = int.MaxValue)
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

        return new TcpAcceptLoop(listener, handler, maxConnections);
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

            if (Interlocked.Increment(ref _open) > _maxConnections)
            {
                // Over the cap: close at once (a reset, so the client sees it) rather than hold a socket and a
                // handler for it; the clients already connected are not affected.
                Interlocked.Decrement(ref _open);
                Interlocked.Increment(ref _refused);
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            lock (_gate)
            {
                _connections.RemoveAll(static t => t.IsCompleted);
                _connections.Add(Task.Run(() => ServeAsync(client)));
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            await _handler(client, _stop.Token).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
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
