using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Opskit.Testing.Graphite;

/// <summary>
/// The one Graphite stand-in of the tests: a listener on 127.0.0.1 (the role of <c>net.createServer()</c> in Etsy's
/// graphite tests) that keeps each connection's raw bytes (pickle payloads included) and every plaintext line, grouped
/// by connection, one connection per flush. Flushes are numbered in the order their connections were accepted and
/// only shown once every earlier connection has ended too, so a flush that finishes reading before an earlier one
/// (Etsy may have two flush connections open at once) cannot be taken for the earlier one.
/// </summary>
public sealed class FakeGraphite : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<int, GraphiteFlush> _completed = [];
    private readonly List<GraphiteLine> _lines = [];
    private readonly Task _acceptLoop;

    /// <summary>Starts listening on <paramref name="port"/> (0: a free one).</summary>
    public FakeGraphite(int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The raw bytes of each connection that has ended, in the order they ended.</summary>
    public ConcurrentQueue<byte[]> Connections { get; } = new();

    /// <summary>The text of each connection that has ended, in the order they ended.</summary>
    public IEnumerable<string> Texts => Connections.Select(Encoding.UTF8.GetString);

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

    /// <summary>Every connection that has ended, in accept order, whether or not an earlier one is still open.</summary>
    private List<GraphiteFlush> Ended()
    {
        lock (_gate)
        {
            return [.. _completed.OrderBy(pair => pair.Key).Select(pair => pair.Value)];
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

    /// <summary>All "name value ts" lines received so far, as name → value (the last one wins).</summary>
    public Dictionary<string, string> Values()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Lines)
        {
            result[line.Name] = line.Value;
        }

        return result;
    }

    /// <summary>Waits until an ended connection has a line starting with <paramref name="prefix"/>; returns that flush's values.</summary>
    public async Task<Dictionary<string, string>> WaitForLineAsync(string prefix, TimeSpan? timeout = null)
    {
        var wait = timeout ?? TimeSpan.FromSeconds(30);
        GraphiteFlush? found = null;
        var ok = await Eventually.TryAsync(
            () =>
            {
                found = Ended().FirstOrDefault(flush => flush.Lines.Any(l => l.ToString().StartsWith(prefix, StringComparison.Ordinal)));
                return found is not null;
            },
            wait);
        if (!ok)
        {
            throw new TimeoutException($"no graphite line starting with '{prefix}' within {wait}. {Describe()}");
        }

        return found!.Lines.GroupBy(l => l.Name).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
    }

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
        using var raw = new MemoryStream();
        var pending = new List<byte>();
        var buffer = new byte[64 * 1024];
        try
        {
            using (client)
            {
                var stream = client.GetStream();
                int read;
                while ((read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                {
                    raw.Write(buffer, 0, read);
                    for (var i = 0; i < read; i++)
                    {
                        if (buffer[i] != (byte)'\n')
                        {
                            pending.Add(buffer[i]);
                            continue;
                        }

                        Add(lines, pending);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // Connection reset or shutting down: keep what arrived.
        }

        Add(lines, pending);
        Connections.Enqueue(raw.ToArray());
        lock (_gate)
        {
            _completed.Add(index, new GraphiteFlush(index, lines));
        }
    }

    private void Add(List<GraphiteLine> lines, List<byte> pending)
    {
        var text = Encoding.UTF8.GetString([.. pending]).TrimEnd('\r');
        pending.Clear();
        if (text.Length == 0)
        {
            return;
        }

        var line = GraphiteLine.Parse(text);
        lines.Add(line);
        lock (_gate)
        {
            _lines.Add(line);
        }
    }
}
