using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Configuration;
using Opskit.Statsd.Flushing;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Backends.Graphite;

/// <summary>
/// Etsy's graphite backend: one TCP connection per flush to graphiteHost:graphitePort (text) or
/// graphitePicklePort (pickle), the same metric names and values, and graphiteStats. Beyond Etsy, flushes
/// that could not be sent wait in a bounded buffer and go out (oldest first) once Graphite accepts
/// connections again; what the buffer cannot hold is dropped, counted and logged.
/// </summary>
internal sealed partial class GraphiteBackend : IStatsdBackend
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private readonly StatsdConfig _config;
    private readonly GraphiteNames _names;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Queue<byte[]> _unsent = new();
    private readonly int _maxUnsent;
    private double _lastFlush;
    private double _lastException;
    private double _flushTime;
    private double _flushLength;
    private long _droppedFlushes;

    public GraphiteBackend(StatsdConfig config, TimeProvider time, long startupSeconds, ILogger logger)
    {
        _config = config;
        _names = new GraphiteNames(config.Raw);
        _time = time;
        _logger = logger;
        _lastFlush = startupSeconds;
        _maxUnsent = (int)Math.Max(1, Math.Ceiling(config.GraphiteRetryBufferSeconds * 1000 / config.FlushIntervalMs));
    }

    public string Name => "graphite";

    /// <summary>Flushes dropped because the retry buffer was full.</summary>
    public long DroppedFlushes => Interlocked.Read(ref _droppedFlushes);

    public IEnumerable<KeyValuePair<string, double>> Status() =>
    [
        new("last_flush", _lastFlush),
        new("last_exception", _lastException),
        new("flush_time", _flushTime),
        new("flush_length", _flushLength),
        new("unsent_flushes", _unsent.Count),
        new("dropped_flushes", DroppedFlushes),
    ];

    public async Task FlushAsync(MetricSnapshot snapshot, CancellationToken cancellationToken)
    {
        var lines = BuildLines(snapshot);
        if (_config.GraphiteHost is null)
        {
            return; // Etsy: without graphiteHost metrics are processed but discarded.
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var ts = (long)TimerStatistics.JsRound(now / 1000.0);
        var ns = string.Join('.', _names.Global.Append(_names.PrefixStats));
        lines.Add(new GraphiteLine(ns + ".graphiteStats.last_exception" + _names.GlobalSuffix, _lastException, ts));
        lines.Add(new GraphiteLine(ns + ".graphiteStats.last_flush" + _names.GlobalSuffix, _lastFlush, ts));
        lines.Add(new GraphiteLine(ns + ".graphiteStats.flush_time" + _names.GlobalSuffix, _flushTime, ts));
        lines.Add(new GraphiteLine(ns + ".graphiteStats.flush_length" + _names.GlobalSuffix, _flushLength, ts));
        var pickle = _config.GraphiteProtocol == "pickle";
        var payload = pickle ? ToPickle(lines) : ToText(lines);
        var port = pickle ? _config.GraphitePicklePort : _config.GraphitePort;

        _unsent.Enqueue(payload);
        while (_unsent.Count > _maxUnsent)
        {
            _unsent.Dequeue();
            var dropped = Interlocked.Increment(ref _droppedFlushes);
            LogDropped(_logger, dropped, _maxUnsent);
        }

        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            await client.ConnectAsync(_config.GraphiteHost, port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            var started = Stopwatch.GetTimestamp();
            var backlog = _unsent.Count - 1;
            while (_unsent.Count > 0)
            {
                await stream.WriteAsync(_unsent.Peek(), timeout.Token).ConfigureAwait(false);
                _unsent.Dequeue();
            }

            client.Client.Shutdown(SocketShutdown.Send);
            _flushTime = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            _flushLength = payload.Length;
            _lastFlush = TimerStatistics.JsRound(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            if (backlog > 0)
            {
                LogBacklogSent(_logger, backlog);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            _lastException = TimerStatistics.JsRound(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            LogUnreachable(_logger, _config.GraphiteHost, port, _unsent.Count, ex.Message);
        }
    }

    /// <summary>Etsy <c>flush_stats</c>: every metric line, in Etsy's order, before graphiteStats.</summary>
    internal List<GraphiteLine> BuildLines(MetricSnapshot snapshot)
    {
        var started = Stopwatch.GetTimestamp();
        var ts = snapshot.Timestamp;
        var lines = new List<GraphiteLine>(snapshot.Counters.Count * 2 + snapshot.Timers.Count * 16 + snapshot.Gauges.Count + snapshot.Sets.Count + 8);
        var numStats = 0;
        var n = _names;
        for (var i = 0; i < snapshot.Counters.Count; i++)
        {
            var counter = snapshot.Counters[i];
            if (n.LegacyFlush)
            {
                lines.Add(new GraphiteLine(n.Format(n.Counter, counter.Name), snapshot.CounterRates[i], ts));
                if (n.FlushCounts)
                {
                    lines.Add(new GraphiteLine(n.Format(["stats_counts"], counter.Name), counter.Value, ts));
                }
            }
            else
            {
                lines.Add(new GraphiteLine(n.Format(n.Counter, counter.Name, "rate"), snapshot.CounterRates[i], ts));
                if (n.FlushCounts)
                {
                    lines.Add(new GraphiteLine(n.Format(n.Counter, counter.Name, "count"), counter.Value, ts));
                }
            }

            numStats++;
        }

        foreach (var timer in snapshot.TimerData)
        {
            foreach (var stat in timer.Stats)
            {
                lines.Add(new GraphiteLine(n.Format(n.Timer, timer.Key, stat.Name), stat.Value, ts));
            }

            if (timer.Histogram is { } histogram)
            {
                foreach (var bin in histogram)
                {
                    lines.Add(new GraphiteLine(n.Format(n.Timer, timer.Key, "histogram", bin.Name), bin.Value, ts));
                }
            }

            numStats++;
        }

        foreach (var gauge in snapshot.Gauges)
        {
            lines.Add(new GraphiteLine(n.Format(n.Gauge, gauge.Name), gauge.Value, ts));
            numStats++;
        }

        foreach (var set in snapshot.Sets)
        {
            lines.Add(new GraphiteLine(n.Format(n.Set, set.Name, "count"), set.Members.Length, ts));
            numStats++;
        }

        var calculation = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var prefix = n.PrefixStats;
        if (n.LegacyFlush)
        {
            lines.Add(new GraphiteLine(prefix + ".numStats" + n.GlobalSuffix, numStats, ts));
            lines.Add(new GraphiteLine("stats." + prefix + ".graphiteStats.calculationtime" + n.GlobalSuffix, calculation, ts));
            foreach (var metric in snapshot.StatsdMetrics)
            {
                lines.Add(new GraphiteLine("stats." + prefix + "." + metric.Name + n.GlobalSuffix, metric.Value, ts));
            }
        }
        else
        {
            lines.Add(new GraphiteLine(n.Format(n.Global, prefix, "numStats"), numStats, ts));
            lines.Add(new GraphiteLine(n.Format(n.Global, prefix, "graphiteStats", "calculationtime"), calculation, ts));
            foreach (var metric in snapshot.StatsdMetrics)
            {
                lines.Add(new GraphiteLine(n.Format(n.Global, prefix, metric.Name), metric.Value, ts));
            }
        }

        return lines;
    }

    /// <summary>Etsy <c>Stats.toText</c>: <c>key value ts</c> lines, each ending in a newline.</summary>
    internal static byte[] ToText(List<GraphiteLine> lines)
    {
        var sb = new StringBuilder(lines.Count * 48);
        foreach (var line in lines)
        {
            sb.Append(line.Key).Append(' ').Append(JsNumber.ToJsString(line.Value)).Append(' ').Append(line.Timestamp).Append('\n');
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Etsy <c>Stats.toPickle</c>: a pickle protocol 0 list of (key, (ts, 'value')) with a 4-byte length header.</summary>
    internal static byte[] ToPickle(List<GraphiteLine> lines)
    {
        var sb = new StringBuilder(lines.Count * 48);
        sb.Append("(l");
        foreach (var line in lines)
        {
            sb.Append("(S'").Append(line.Key).Append("'\n(L").Append(line.Timestamp).Append("L\nS'")
                .Append(JsNumber.ToJsString(line.Value)).Append("'\ntta");
        }

        sb.Append('.');
        var body = Encoding.UTF8.GetBytes(sb.ToString());
        var payload = new byte[body.Length + 4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)sb.Length);
        body.CopyTo(payload, 4);
        return payload;
    }

    public ValueTask DisposeAsync()
    {
        if (_unsent.Count > 0)
        {
            LogUnsentAtExit(_logger, _unsent.Count);
        }

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "graphite {Host}:{Port} unreachable ({Reason}); {Unsent} flushes kept for retry")]
    private static partial void LogUnreachable(ILogger logger, string host, int port, int unsent, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "graphite retry buffer full ({Max} flushes): dropped the oldest flush, {Dropped} dropped so far")]
    private static partial void LogDropped(ILogger logger, long dropped, int max);

    [LoggerMessage(Level = LogLevel.Information, Message = "graphite reachable again: sent {Count} buffered flushes")]
    private static partial void LogBacklogSent(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "graphite: {Count} flushes were never sent (graphite unreachable at exit)")]
    private static partial void LogUnsentAtExit(ILogger logger, int count);
}

/// <summary>One Graphite metric: Etsy's <c>Metric(key, value, ts)</c>.</summary>
internal readonly record struct GraphiteLine(string Key, double Value, long Timestamp);
