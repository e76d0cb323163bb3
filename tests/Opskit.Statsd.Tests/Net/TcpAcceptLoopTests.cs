using System.Net;
using System.Net.Sockets;
using Opskit.Statsd.Net;
using Opskit.Testing;

namespace Opskit.Statsd.Tests.Net;

public sealed class TcpAcceptLoopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failed_handler_neither_stops_accepting_nor_fails_shutdown()
    {
        var served = 0;
        var loop = TcpAcceptLoop.Start(IPAddress.Loopback, FreePort.Tcp(), 16, (socket, _) =>
        {
            using (socket)
            {
                // The second (last) connection's handler fails the way a handler can after its socket is gone;
                // the first shows that a handler ran at all before it.
                if (Interlocked.Increment(ref served) == 2)
                {
                    throw new ObjectDisposedException("socket");
                }
            }

            return Task.CompletedTask;
        });

        for (var i = 0; i < 2; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, loop.LocalEndPoint.Port, Ct);
            var expected = i + 1;
            await Eventually.AssertAsync(() => Volatile.Read(ref served) >= expected, TimeSpan.FromSeconds(10), $"connection {expected} handled");
        }

        // Shutdown runs the final flush after this; a handler's exception must not escape here.
        await loop.DisposeAsync();
        Assert.Equal(2, served);
    }

    [Fact]
    public async Task Shutdown_cancels_the_handlers_token_and_waits_for_them()
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = TcpAcceptLoop.Start(IPAddress.Loopback, FreePort.Tcp(), 16, async (socket, stopping) =>
        {
            using (socket)
            {
                started.SetResult();
                await Task.Delay(Timeout.Infinite, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                finished.SetResult();
            }
        });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, loop.LocalEndPoint.Port, Ct);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        await loop.DisposeAsync();
        Assert.True(finished.Task.IsCompletedSuccessfully, "DisposeAsync returned before the handler finished");
    }
}
