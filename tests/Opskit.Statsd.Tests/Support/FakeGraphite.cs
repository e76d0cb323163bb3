using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Opskit.Testing;

namespace Opskit.Statsd.Tests.Support;

/// <summary>A Graphite stand-in: a real TCP listener on 127.0.0.1 that records what each connection sent.</summary>
internal sealed class FakeGraphite : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeGraphite(int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>One entry per connection (Etsy opens one per flush), the raw bytes it sent.</summary>
    public ConcurrentQueue<byte[]> Connections { get; } = new();

    public IEnumerable<string> Flushes => Connections.Select(Encoding.UTF8.GetString);

    /// <summary>All "name value ts" lines received so far, as name → value (last one wins).</summary>
    public Dictionary<string, string> Values()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var flush in Flushes)
        {
            foreach (var line in flush.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = line.Split(' ');
                result[parts[0]] = parts[1];
            }
        }

        return result;
    }

    /// <summary>Waits until some flush contains a line starting with <paramref name="prefix"/>; returns that flush's lines.</summary>
    public async Task<Dictionary<string, string>> WaitForLineAsync(string prefix, TimeSpan? timeout = null)
    {
        Dictionary<string, string>? found = null;
        await Eventually.AssertAsync(
            () =>
            {
                foreach (var flush in Flushes)
                {
                    if (flush.Split('\n').Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
                    {
                        found = flush.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                            .Select(l => l.Split(' '))
                            .GroupBy(p => p[0])
                            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);
                        return true;
                    }
                }

                return false;
            },
            timeout ?? TimeSpan.FromSeconds(10),
            $"a graphite line starting with '{prefix}'");
        return found!;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    using var memory = new MemoryStream();
                    try
                    {
                        await client.GetStream().CopyToAsync(memory, _stop.Token);
                    }
                    catch (Exception ex) when (ex is IOException or OperationCanceledException)
                    {
                        return;
                    }

                    Connections.Enqueue(memory.ToArray());
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
