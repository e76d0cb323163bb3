using System.Net;
using System.Net.Sockets;
using System.Text;
using Opskit.Testing;

namespace Opskit.Statsd.Compat.Tests.Support;

/// <summary>
/// A Graphite plaintext listener on 127.0.0.1 (the role of <c>net.createServer()</c> in Etsy's
/// graphite tests): records every line and groups them by connection, one connection per flush.
/// Flushes are numbered in the order their connections were accepted and only shown once every
/// earlier connection has ended too, so a flush that finishes reading before an earlier one (Etsy
/// may have two flush connections open at once) cannot be taken for the earlier one.
/// </summary>
internal sealed class FakeGraphite : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<int, GraphiteFlush> _completed = [];
    private readonly List<GraphiteLine> _lines = [];
    private readonly Task _acceptLoop;

    private FakeGraphite()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Completed flushes (closed connections) in accept order, up to the first one still open.</summary>
    public IReadOnlyList<GraphiteFlush> Flushes
    {
        get
        {
            lock (_gate)
            {
                var flushes = new List<GraphiteFlush>();
                while (_completed.TryGetValue(flushes.Count, out var flush))
                {
                    flushes.Add(flush);
                }

                return flushes;
            }
        }
    }

    /// <summary>Every line received so far, including those of a connection still open.</summary>
    public IReadOnlyList<GraphiteLine> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public static FakeGraphite Start() => new();

    /// <summary>Waits for a completed flush (index &gt;= <paramref name="fromIndex"/>) matching <paramref name="predicate"/>.</summary>
    public async Task<GraphiteFlush> WaitForFlushAsync(Func<GraphiteFlush, bool> predicate, TimeSpan timeout, string what, int fromIndex = 0)
    {
        GraphiteFlush? found = null;
        var ok = await Eventually.TryAsync(
            () =>
            {
                found = Flushes.FirstOrDefault(flush => flush.Index >= fromIndex && predicate(flush));
                return found is not null;
            },
            timeout);
        return ok ? found! : throw new TimeoutException($"no flush with {what} within {timeout}. {Describe()}");
    }

    /// <summary>Waits for the first connection's flush (Etsy's tests start on the first connection).</summary>
    public Task<GraphiteFlush> WaitForFirstFlushAsync(TimeSpan timeout) => WaitForFlushAtAsync(0, timeout);

    /// <summary>Waits for the flush of the connection accepted as number <paramref name="index"/> (0-based).</summary>
    public Task<GraphiteFlush> WaitForFlushAtAsync(int index, TimeSpan timeout) =>
        WaitForFlushAsync(flush => flush.Index == index, timeout, $"index {index}", index);

    /// <summary>Waits until some received line is <paramref name="name"/> with numeric <paramref name="value"/>.</summary>
    public async Task WaitForValueAsync(string name, double value, TimeSpan timeout)
    {
        var ok = await Eventually.TryAsync(() => Lines.Any(line => line.Name == name && line.Number == value), timeout);
        if (!ok)
        {
            var seen = Lines.Where(line => line.Name == name).Select(line => line.Value).Distinct().ToList();
            var values = seen.Count == 0 ? "never received" : "received only " + string.Join(", ", seen);
            throw new TimeoutException($"'{name}' = {value} did not arrive within {timeout} ({values}). {Describe()}");
        }
    }

    /// <summary>
    /// Waits until the values of <paramref name="name"/> over all flushes add up to <paramref name="total"/>:
    /// counters reset every flush, so this is what arrived however the flushes cut it.
    /// </summary>
    public async Task WaitForSumAsync(string name, double total, TimeSpan timeout)
    {
        double Sum() => Lines.Where(line => line.Name == name).Sum(line => line.Number ?? 0);
        if (!await Eventually.TryAsync(() => Sum() == total, timeout))
        {
            throw new TimeoutException($"'{name}' should add up to {total} within {timeout} but adds up to {Sum()}. {Describe()}");
        }
    }

    /// <summary>Waits until some received line's name contains <paramref name="text"/> (Etsy's <c>str.indexOf</c> checks).</summary>
    public async Task WaitForNameContainingAsync(string text, TimeSpan timeout)
    {
        var ok = await Eventually.TryAsync(() => Lines.Any(line => line.Name.Contains(text, StringComparison.Ordinal)), timeout);
        if (!ok)
        {
            throw new TimeoutException($"no metric name containing '{text}' within {timeout}. {Describe()}");
        }
    }

    /// <summary>The last flushes, for failure messages.</summary>
    public string Describe()
    {
        var flushes = Flushes;
        var last = flushes.Skip(Math.Max(0, flushes.Count - 2));
        return $"Graphite on port {Port} saw {flushes.Count} complete flushes; the last ones:\n" + string.Join("\n", last);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        for (var index = 0; !_stop.IsCancellationRequested; index++)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var accepted = index;
            _ = Task.Run(() => ReadAsync(client, accepted));
        }
    }

    private async Task ReadAsync(TcpClient client, int index)
    {
        var lines = new List<GraphiteLine>();
        try
        {
            using (client)
            using (var reader = new StreamReader(client.GetStream(), Encoding.UTF8))
            {
                while (await reader.ReadLineAsync(_stop.Token) is { } text)
                {
                    if (text.Length == 0)
                    {
                        continue;
                    }

                    var line = GraphiteLine.Parse(text);
                    lines.Add(line);
                    lock (_gate)
                    {
                        _lines.Add(line);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // Connection reset or shutting down: keep what arrived.
        }

        lock (_gate)
        {
            _completed.Add(index, new GraphiteFlush(index, lines));
        }
    }
}
