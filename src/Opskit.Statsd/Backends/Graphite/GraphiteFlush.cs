using System.Diagnostics;
using System.Net.Sockets;
using Opskit.Statsd.Aggregation;

namespace Opskit.Statsd.Backends.Graphite;

/// <summary>
/// One flush for Graphite: the snapshot and the graphiteStats values of the moment it was taken. Its lines are
/// formatted while they are sent, a few hundred KiB at a time into one reused buffer, so a flush of a million
/// counters (about 90 MB of text) never exists whole in memory (issue 21: formatting the whole payload first kept
/// it all and delayed the last byte). A retry formats the same snapshot again: the same bytes, since every value
/// that goes into them (calculationtime included, once measured) is kept here.
/// </summary>
internal sealed class GraphiteFlush
{
    /// <summary>Bytes formatted before they are handed to the socket.</summary>
    internal const int SendBatch = 192 * 1024;
    private const int BufferSize = 256 * 1024;

    private readonly GraphiteNames _names;
    private readonly GraphiteStatsValues _stats;
    private double? _calculation;

    public GraphiteFlush(MetricSnapshot snapshot, GraphiteNames names, GraphiteStatsValues stats)
    {
        Snapshot = snapshot;
        _names = names;
        _stats = stats;
    }

    public MetricSnapshot Snapshot { get; }

    /// <summary>Bytes on the wire; -1 until the flush was formatted once to the end.</summary>
    public long Length { get; private set; } = -1;

    /// <summary>Formats and sends the whole flush; each send must make progress within <paramref name="stallTimeout"/>.</summary>
    /// <exception cref="TimeoutException">The receiver stopped reading.</exception>
    public async Task SendAsync(Socket socket, bool pickle, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        if (pickle)
        {
            // A pickle message starts with its length: it is formatted whole before it is sent.
            var payload = Format(pickle: true);
            await payload.SendAsync(socket, stallTimeout, cancellationToken).ConfigureAwait(false);
            return;
        }

        var writer = new GraphitePayloadWriter(pickle: false, BufferSize);
        var cursor = new GraphiteLineCursor(this);
        bool done;
        do
        {
            done = cursor.WriteSome(writer, SendBatch);
            foreach (var chunk in writer.Pending())
            {
                await GraphitePayload.SendChunkAsync(socket, chunk, stallTimeout, cancellationToken).ConfigureAwait(false);
            }

            writer.Release();
        }
        while (!done);

        Length = writer.Length;
    }

    /// <summary>The whole flush in memory (pickle, tests).</summary>
    public GraphitePayload Format(bool pickle)
    {
        var writer = new GraphitePayloadWriter(pickle);
        new GraphiteLineCursor(this).WriteSome(writer, long.MaxValue);
        var payload = writer.Finish();
        Length = payload.Length;
        return payload;
    }

    /// <summary>Formats the flush to the end without keeping it, when an attempt was cut before it got there.</summary>
    public long MeasureLength(bool pickle)
    {
        if (Length >= 0)
        {
            return Length;
        }

        if (pickle)
        {
            return Format(pickle: true).Length;
        }

        var writer = new GraphitePayloadWriter(pickle: false, BufferSize);
        var cursor = new GraphiteLineCursor(this);
        while (!cursor.WriteSome(writer, SendBatch))
        {
            writer.Release();
        }

        Length = writer.Length;
        return Length;
    }

    /// <summary>
    /// Walks the snapshot in Etsy's <c>flush_stats</c> order (counters, timers, gauges, sets, then the statsd and
    /// graphiteStats lines), writing as many lines as fit in a batch per call.
    /// </summary>
    private sealed class GraphiteLineCursor
    {
        private readonly GraphiteFlush _flush;
        private readonly NameTemplate _counterRate;
        private readonly NameTemplate _counterCount;
        private readonly NameTemplate _gauge;
        private readonly NameTemplate _setCount;
        private Section _section;
        private int _index;
        private long _formattingTicks;

        public GraphiteLineCursor(GraphiteFlush flush)
        {
            _flush = flush;
            var n = flush._names;
            _counterRate = n.LegacyFlush ? n.Template(n.Counter) : n.Template(n.Counter, "rate");
            _counterCount = n.LegacyFlush ? n.Template(["stats_counts"]) : n.Template(n.Counter, "count");
            _gauge = n.Template(n.Gauge);
            _setCount = n.Template(n.Set, "count");
        }

        private enum Section
        {
            Counters,
            Timers,
            Gauges,
            Sets,
            Trailer,
            Done,
        }

        /// <summary>Writes lines until <paramref name="batch"/> bytes are pending or the flush ends; true at the end.</summary>
        public bool WriteSome(GraphitePayloadWriter w, long batch)
        {
            var started = Stopwatch.GetTimestamp();
            var snapshot = _flush.Snapshot;
            var n = _flush._names;
            var ts = snapshot.Timestamp;
            while (w.PendingBytes < batch)
            {
                switch (_section)
                {
                    case Section.Counters when _index < snapshot.Counters.Count:
                        var counter = snapshot.Counters[_index];
                        w.BeginLine();
                        n.WriteName(w, _counterRate, counter.Name);
                        w.EndLine(snapshot.CounterRates[_index], ts);
                        if (n.FlushCounts)
                        {
                            w.BeginLine();
                            n.WriteName(w, _counterCount, counter.Name);
                            w.EndLine(counter.Value, ts);
                        }

                        _index++;
                        break;
                    case Section.Timers when _index < snapshot.TimerData.Count:
                        WriteTimer(w, snapshot.TimerData[_index++], ts);
                        break;
                    case Section.Gauges when _index < snapshot.Gauges.Count:
                        var gauge = snapshot.Gauges[_index++];
                        w.BeginLine();
                        n.WriteName(w, _gauge, gauge.Name);
                        w.EndLine(gauge.Value, ts);
                        break;
                    case Section.Sets when _index < snapshot.Sets.Count:
                        var set = snapshot.Sets[_index++];
                        w.BeginLine();
                        n.WriteName(w, _setCount, set.Name);
                        w.EndLine(set.Members.Length, ts);
                        break;
                    case Section.Trailer:
                        _formattingTicks += Stopwatch.GetTimestamp() - started;
                        WriteTrailer(w);
                        _section = Section.Done;
                        return true;
                    case Section.Done:
                        return true;
                    default:
                        _section++;
                        _index = 0;
                        break;
                }
            }

            _formattingTicks += Stopwatch.GetTimestamp() - started;
            return false;
        }

        private void WriteTimer(GraphitePayloadWriter w, TimerData timer, long ts)
        {
            var n = _flush._names;
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
        }

        /// <summary>numStats, calculationtime and statsd_metrics (Etsy <c>flush_stats</c>), then graphiteStats.</summary>
        private void WriteTrailer(GraphitePayloadWriter w)
        {
            var snapshot = _flush.Snapshot;
            var n = _flush._names;
            var ts = snapshot.Timestamp;
            var numStats = snapshot.Counters.Count + snapshot.TimerData.Count + snapshot.Gauges.Count + snapshot.Sets.Count;

            // Etsy times the building of the lines; here, their formatting without the sends in between. Measured
            // once: a retry sends the value of the first complete attempt.
            var calculation = _flush._calculation ??= Math.Round(Stopwatch.GetElapsedTime(0, _formattingTicks).TotalMilliseconds);
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

            var stats = _flush._stats;
            var ns = string.Join('.', n.Global.Append(n.PrefixStats));
            w.Line(ns + ".graphiteStats.last_exception" + n.GlobalSuffix, stats.LastException, stats.Timestamp);
            w.Line(ns + ".graphiteStats.last_flush" + n.GlobalSuffix, stats.LastFlush, stats.Timestamp);
            w.Line(ns + ".graphiteStats.flush_time" + n.GlobalSuffix, stats.FlushTime, stats.Timestamp);
            w.Line(ns + ".graphiteStats.flush_length" + n.GlobalSuffix, stats.FlushLength, stats.Timestamp);
        }
    }
}

/// <summary>Etsy's graphiteStats at the time a flush was taken (the previous flush's results) and their timestamp.</summary>
internal readonly record struct GraphiteStatsValues(double LastException, double LastFlush, double FlushTime, double FlushLength, long Timestamp);
