using System.Diagnostics;
using System.Net.Sockets;
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
/// bytes (<c>retryBufferBytes</c>, the bytes they take on the wire) and go out oldest first; what it cannot hold
/// is dropped, counted (<c>dropped_flushes</c>, <c>dropped_bytes</c>) and logged. The buffer keeps each
/// flush's snapshot, not its text, and formats it again for the retry (<see cref="GraphiteFlush"/>).</item>
/// <item>the text is formatted while it is sent, a few hundred KiB at a time into one reused buffer: a 1M-key
/// flush (about 90 MB of lines) is never whole in memory.</item>
/// </list>
/// </summary>
internal sealed partial class GraphiteBackend : IStatsdBackend
{
    private readonly StatsdConfig _config;
    private readonly GraphiteNames _names;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Queue<GraphiteFlush> _unsent = new();
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
            return; // Etsy: without graphiteHost metrics are processed but discarded.
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var flush = new GraphiteFlush(
            snapshot,
            _names,
            new GraphiteStatsValues(_lastException, _lastFlush, _flushTime, _flushLength, (long)TimerStatistics.JsRound(now / 1000.0)));
        var port = pickle ? _config.GraphitePicklePort : _config.GraphitePort;
        var sending = false;
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
                await next.SendAsync(client, pickle, _writeTimeout, cancellationToken).ConfigureAwait(false);
                Release(_unsent.Dequeue());
            }

            await flush.SendAsync(client, pickle, _writeTimeout, cancellationToken).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Send);
            _flushTime = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            _flushLength = flush.Length;
            _lastFlush = TimerStatistics.JsRound(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            if (backlog > 0)
            {
                LogBacklogSent(_logger, backlog);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or TimeoutException)
        {
            _lastException = TimerStatistics.JsRound(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            // This flush was not (or not wholly) sent: it joins the retry buffer behind the older ones. The buffer
            // keeps the snapshot, not its text, and counts the bytes the text will take on the wire.
            flush.MeasureLength(pickle);
            Keep(flush);
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

    /// <summary>Adds the newest flush to the retry buffer, dropping the oldest ones it pushes past the bounds.</summary>
    private void Keep(GraphiteFlush flush)
    {
        _unsent.Enqueue(flush);
        Interlocked.Add(ref _unsentBytes, flush.Length);
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

    private void Release(GraphiteFlush flush)
    {
        Interlocked.Add(ref _unsentBytes, -flush.Length);
        Volatile.Write(ref _unsentCount, _unsent.Count);
    }

    /// <summary>The whole flush as Graphite would receive it (tests): Etsy's metric lines, then graphiteStats.</summary>
    internal GraphitePayload Format(MetricSnapshot snapshot, bool pickle) =>
        new GraphiteFlush(snapshot, _names, new GraphiteStatsValues(_lastException, _lastFlush, _flushTime, _flushLength, snapshot.Timestamp)).Format(pickle);

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
