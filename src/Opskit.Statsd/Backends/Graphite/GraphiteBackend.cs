using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Configuration;
using Opskit.Statsd.Flushing;

namespace Opskit.Statsd.Backends.Graphite;

/// <summary>
/// Etsy's graphite backend: one TCP connection per flush to graphiteHost:graphitePort (text) or
/// graphitePicklePort (pickle), the same metric names and values, and graphiteStats. Beyond Etsy (issue 21):
/// <list type="bullet">
/// <item>connecting and writing have separate timeouts: <c>graphite.connectTimeout</c> bounds the connect, and
/// <c>graphite.writeTimeout</c> bounds how long a write may make no progress, so a big flush to a carbon that
/// reads slowly is never cut while it keeps reading;</item>
/// <item>a flush is sent whole or retried whole: it leaves the retry buffer only once its last byte was
/// written. Carbon keeps the last value per metric and timestamp, so resending a whole flush (same names,
/// values and timestamps) rewrites what an interrupted attempt already stored; nothing is counted twice;</item>
/// <item>flushes that could not be sent wait in a buffer bounded by count (<c>retryBufferSeconds</c>) and by
/// bytes (<c>retryBufferBytes</c>) and go out oldest first; what it cannot hold is dropped, counted
/// (<c>dropped_flushes</c>, <c>dropped_bytes</c>) and logged.</item>
/// </list>
/// </summary>
internal sealed partial class GraphiteBackend : IStatsdBackend
{
    private readonly StatsdConfig _config;
    private readonly GraphiteNames _names;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Queue<GraphitePayload> _unsent = new();
    private readonly int _maxUnsent;
    private readonly long _maxUnsentBytes;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _writeTimeout;
    private long _unsentBytes;
    private int _unsentCount;
    private double _lastFlush;
    private double _lastException;
    private double _flushTime;
    private double _flushLength;
    private long _droppedFlushes;
    private long _droppedBytes;

    public GraphiteBackend(StatsdConfig config, TimeProvider time, long startupSeconds, ILogger logger)
    {
        _config = config;
        _names = new GraphiteNames(config.Raw);
        _time = time;
        _logger = logger;
        _lastFlush = startupSeconds;
        _maxUnsent = (int)Math.Max(1, Math.Ceiling(config.GraphiteRetryBufferSeconds * 1000 / config.FlushIntervalMs));
        _maxUnsentBytes = config.GraphiteRetryBufferBytes;
        _connectTimeout = TimeSpan.FromMilliseconds(config.GraphiteConnectTimeoutMs);
        _writeTimeout = TimeSpan.FromMilliseconds(config.GraphiteWriteTimeoutMs);
    }

    public string Name => "graphite";

    /// <summary>Flushes dropped because the retry buffer was full.</summary>
    public long DroppedFlushes => Interlocked.Read(ref _droppedFlushes);

    /// <summary>Bytes of the flushes dropped because the retry buffer was full.</summary>
    public long DroppedBytes => Interlocked.Read(ref _droppedBytes);

    /// <summary>Flushes waiting to be sent (after a failure).</summary>
    public int UnsentFlushes => Volatile.Read(ref _unsentCount);

    public IEnumerable<KeyValuePair<string, double>> Status() =>
    [
        new("last_flush", _lastFlush),
        new("last_exception", _lastException),
        new("flush_time", _flushTime),
        new("flush_length", _flushLength),
        new("unsent_flushes", UnsentFlushes),
        new("unsent_bytes", Interlocked.Read(ref _unsentBytes)),
        new("dropped_flushes", DroppedFlushes),
        new("dropped_bytes", DroppedBytes),
    ];

    public async Task FlushAsync(MetricSnapshot snapshot, CancellationToken cancellationToken)
    {
        var pickle = _config.GraphiteProtocol == "pickle";
        if (_config.GraphiteHost is not { } host)
        {
            WriteMetrics(snapshot, new GraphitePayloadWriter(pickle));
            return; // Etsy: without graphiteHost metrics are processed but discarded.
        }

        // The text payload is written on another thread and sent chunk by chunk while it is written (a million
        // keys take about a second to format); the chunks are kept, so a failed send retries the whole flush.
        var chunks = Channel.CreateUnbounded<ArraySegment<byte>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var building = Task.Run(
            () =>
            {
                try
                {
                    return Build(snapshot, new GraphitePayloadWriter(pickle, chunk => chunks.Writer.TryWrite(chunk)));
                }
                finally
                {
                    chunks.Writer.TryComplete();
                }
            },
            CancellationToken.None);
        var port = pickle ? _config.GraphitePicklePort : _config.GraphitePort;
        var sending = false;
        GraphitePayload? payload = null;
        try
        {
            using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connect.CancelAfter(_connectTimeout);
                try
                {
                    await client.ConnectAsync(host, port, connect.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"connect timed out after {_connectTimeout.TotalSeconds:0.###} s");
                }
            }

            sending = true;
            var started = Stopwatch.GetTimestamp();
            var backlog = _unsent.Count;
            while (_unsent.TryPeek(out var next))
            {
                await next.SendAsync(client, _writeTimeout, cancellationToken).ConfigureAwait(false);
                Release(_unsent.Dequeue());
            }

            if (pickle)
            {
                payload = await building.ConfigureAwait(false);
                await payload.SendAsync(client, _writeTimeout, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await foreach (var chunk in chunks.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    await GraphitePayload.SendChunkAsync(client, chunk, _writeTimeout, cancellationToken).ConfigureAwait(false);
                }

                payload = await building.ConfigureAwait(false);
            }

            client.Shutdown(SocketShutdown.Send);
            _flushTime = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            _flushLength = payload.Length;
            _lastFlush = TimerStatistics.JsRound(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            if (backlog > 0)
            {
                LogBacklogSent(_logger, backlog);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or TimeoutException)
        {
            _lastException = TimerStatistics.JsRound(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            // This flush was not (or not wholly) sent: it joins the retry buffer behind the older ones.
            Keep(await building.ConfigureAwait(false));
            if (sending)
            {
                LogWriteFailed(_logger, host, port, _unsent.Count, ex.Message);
            }
            else
            {
                LogUnreachable(_logger, host, port, _unsent.Count, ex.Message);
            }

            // A flush larger than the whole buffer was given its one attempt; it cannot be kept for another.
            TrimToBounds(allowOversizedNewest: false);
        }
    }

    /// <summary>The whole flush: Etsy's metric lines, then graphiteStats (with the values of the previous flush).</summary>
    private GraphitePayload Build(MetricSnapshot snapshot, GraphitePayloadWriter writer)
    {
        WriteMetrics(snapshot, writer);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var ts = (long)TimerStatistics.JsRound(now / 1000.0);
        var ns = string.Join('.', _names.Global.Append(_names.PrefixStats));
        writer.Line(ns + ".graphiteStats.last_exception" + _names.GlobalSuffix, _lastException, ts);
        writer.Line(ns + ".graphiteStats.last_flush" + _names.GlobalSuffix, _lastFlush, ts);
        writer.Line(ns + ".graphiteStats.flush_time" + _names.GlobalSuffix, _flushTime, ts);
        writer.Line(ns + ".graphiteStats.flush_length" + _names.GlobalSuffix, _flushLength, ts);
        return writer.Finish();
    }

    /// <summary>Adds the newest flush to the retry buffer, dropping the oldest ones it pushes past the bounds.</summary>
    private void Keep(GraphitePayload payload)
    {
        _unsent.Enqueue(payload);
        Interlocked.Add(ref _unsentBytes, payload.Length);
        Volatile.Write(ref _unsentCount, _unsent.Count);
        TrimToBounds(allowOversizedNewest: true);
    }

    private void TrimToBounds(bool allowOversizedNewest)
    {
        while (_unsent.Count > 0
            && (_unsent.Count > _maxUnsent || Interlocked.Read(ref _unsentBytes) > _maxUnsentBytes)
            && !(allowOversizedNewest && _unsent.Count == 1))
        {
            var dropped = _unsent.Dequeue();
            Release(dropped);
            var flushes = Interlocked.Increment(ref _droppedFlushes);
            var bytes = Interlocked.Add(ref _droppedBytes, dropped.Length);
            LogDropped(_logger, flushes, bytes, _maxUnsent, _maxUnsentBytes);
        }
    }

    private void Release(GraphitePayload payload)
    {
        Interlocked.Add(ref _unsentBytes, -payload.Length);
        Volatile.Write(ref _unsentCount, _unsent.Count);
    }

    /// <summary>Etsy <c>flush_stats</c>: every metric line, in Etsy's order, before graphiteStats.</summary>
    internal void WriteMetrics(MetricSnapshot snapshot, GraphitePayloadWriter w)
    {
        var started = Stopwatch.GetTimestamp();
        var ts = snapshot.Timestamp;
        var numStats = 0;
        var n = _names;
        string[] statsCounts = ["stats_counts"];
        for (var i = 0; i < snapshot.Counters.Count; i++)
        {
            var counter = snapshot.Counters[i];
            if (n.LegacyFlush)
            {
                w.BeginLine();
                n.WriteName(w, n.Counter, counter.Name);
                w.EndLine(snapshot.CounterRates[i], ts);
                if (n.FlushCounts)
                {
                    w.BeginLine();
                    n.WriteName(w, statsCounts, counter.Name);
                    w.EndLine(counter.Value, ts);
                }
            }
            else
            {
                w.BeginLine();
                n.WriteName(w, n.Counter, counter.Name, "rate");
                w.EndLine(snapshot.CounterRates[i], ts);
                if (n.FlushCounts)
                {
                    w.BeginLine();
                    n.WriteName(w, n.Counter, counter.Name, "count");
                    w.EndLine(counter.Value, ts);
                }
            }

            numStats++;
        }

        foreach (var timer in snapshot.TimerData)
        {
            foreach (var stat in timer.Stats)
            {
                w.BeginLine();
                n.WriteName(w, n.Timer, timer.Key, stat.Name);
                w.EndLine(stat.Value, ts);
            }

            if (timer.Histogram is { } histogram)
            {
                foreach (var bin in histogram)
                {
                    w.BeginLine();
                    n.WriteName(w, n.Timer, timer.Key, "histogram", bin.Name);
                    w.EndLine(bin.Value, ts);
                }
            }

            numStats++;
        }

        foreach (var gauge in snapshot.Gauges)
        {
            w.BeginLine();
            n.WriteName(w, n.Gauge, gauge.Name);
            w.EndLine(gauge.Value, ts);
            numStats++;
        }

        foreach (var set in snapshot.Sets)
        {
            w.BeginLine();
            n.WriteName(w, n.Set, set.Name, "count");
            w.EndLine(set.Members.Length, ts);
            numStats++;
        }

        var calculation = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var prefix = n.PrefixStats;
        if (n.LegacyFlush)
        {
            w.Line(prefix + ".numStats" + n.GlobalSuffix, numStats, ts);
            w.Line("stats." + prefix + ".graphiteStats.calculationtime" + n.GlobalSuffix, calculation, ts);
            foreach (var metric in snapshot.StatsdMetrics)
            {
                w.Line("stats." + prefix + "." + metric.Name + n.GlobalSuffix, metric.Value, ts);
            }
        }
        else
        {
            w.Line(n.Format(n.Global, prefix, "numStats"), numStats, ts);
            w.Line(n.Format(n.Global, prefix, "graphiteStats", "calculationtime"), calculation, ts);
            foreach (var metric in snapshot.StatsdMetrics)
            {
                w.Line(n.Format(n.Global, prefix, metric.Name), metric.Value, ts);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_unsent.Count > 0)
        {
            LogUnsentAtExit(_logger, _unsent.Count, Interlocked.Read(ref _unsentBytes));
        }

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "graphite {Host}:{Port} unreachable ({Reason}); {Unsent} flushes kept for retry")]
    private static partial void LogUnreachable(ILogger logger, string host, int port, int unsent, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "graphite {Host}:{Port}: a flush was cut while sending ({Reason}); {Unsent} flushes kept for retry, each to be sent again whole")]
    private static partial void LogWriteFailed(ILogger logger, string host, int port, int unsent, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "graphite retry buffer full ({Max} flushes, {MaxBytes} bytes): dropped the oldest flush; {Dropped} flushes ({DroppedBytes} bytes) dropped so far")]
    private static partial void LogDropped(ILogger logger, long dropped, long droppedBytes, int max, long maxBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "graphite reachable again: sent {Count} buffered flushes")]
    private static partial void LogBacklogSent(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "graphite: {Count} flushes ({Bytes} bytes) were never sent (graphite unreachable at exit)")]
    private static partial void LogUnsentAtExit(ILogger logger, int count, long bytes);
}
