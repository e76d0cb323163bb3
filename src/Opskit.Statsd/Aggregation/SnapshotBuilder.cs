using System.Diagnostics;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// Turns the shards' interval data into one <see cref="MetricSnapshot"/> (Etsy <c>flushMetrics</c> +
/// <c>process_metrics</c>). Runs on the flush task, never on a receive loop.
/// </summary>
internal static class SnapshotBuilder
{
    /// <summary>Merges shard snapshots, adds Etsy's internal counters and gauges, computes rates and timer data.</summary>
    /// <param name="shards">One snapshot per shard (a key lives in exactly one shard).</param>
    /// <param name="internalCounters">bad_lines_seen, packets_received, metrics_received for this interval.</param>
    /// <param name="extraGauges">Gauges owned by the flusher (timestamp_lag).</param>
    /// <param name="settings">Thresholds, histogram rules, filter and flush interval.</param>
    /// <param name="timestamp">Flush time, Unix seconds.</param>
    /// <param name="extraStatsdMetrics">Beyond Etsy: more internal metrics after processing_time (receive totals).</param>
    public static MetricSnapshot Build(
        IReadOnlyList<ShardSnapshot> shards,
        InternalCounts internalCounters,
        IReadOnlyList<NamedValue> extraGauges,
        AggregationSettings settings,
        long timestamp,
        IReadOnlyList<NamedValue>? extraStatsdMetrics = null)
    {
        var started = Stopwatch.GetTimestamp();
        var prefix = settings.PrefixStats;
        var badName = prefix + ".bad_lines_seen";
        var packetsName = prefix + ".packets_received";
        var metricsName = prefix + ".metrics_received";
        double bad = internalCounters.BadLines;
        double packets = internalCounters.Packets;
        double metrics = internalCounters.Lines;

        var total = 3;
        var gaugeTotal = extraGauges.Count;
        foreach (var shard in shards)
        {
            total += shard.Counters.Length;
            gaugeTotal += shard.Gauges.Length;
        }

        // Etsy creates the three internal counters first, so they lead the counters object. The shards' lists are
        // merged straight into the final array behind them (one copy of the keyspace, not three: issue 21).
        var counters = new NamedValue[total];
        var count = 3 + MergeInto(shards, static s => s.Counters, static s => s.CounterOrder, counters.AsSpan(3));
        var kept = 3;
        for (var i = 3; i < count; i++)
        {
            var counter = counters[i];

            // A client may send to the internal names too; Etsy adds both into one counter.
            if (counter.Name.Length > prefix.Length && counter.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                if (counter.Name == badName)
                {
                    bad += counter.Value;
                    continue;
                }

                if (counter.Name == packetsName)
                {
                    packets += counter.Value;
                    continue;
                }

                if (counter.Name == metricsName)
                {
                    metrics += counter.Value;
                    continue;
                }
            }

            counters[kept++] = counter;
        }

        counters[0] = new NamedValue(badName, bad);
        counters[1] = new NamedValue(packetsName, packets);
        counters[2] = new NamedValue(metricsName, metrics);
        var counterList = new ArraySegment<NamedValue>(counters, 0, kept);

        var timers = Merge(shards, static s => s.Timers, static s => s.TimerOrder);
        var timerData = new TimerData[timers.Length];
        for (var i = 0; i < timers.Length; i++)
        {
            var timer = timers[i];
            timerData[i] = TimerStatistics.Compute(timer.Name, timer.Values, timer.Count, settings);
        }

        // Room for the flusher's own gauges after the shards' (timestamp_lag is added on every flush but the first).
        var gauges = new NamedValue[gaugeTotal];
        var gaugeCount = MergeInto(shards, static s => s.Gauges, static s => s.GaugeOrder, gauges);
        foreach (var gauge in extraGauges)
        {
            var replaced = false;
            for (var i = 0; i < gaugeCount && !replaced; i++)
            {
                if (gauges[i].Name == gauge.Name)
                {
                    gauges[i] = gauge;
                    replaced = true;
                }
            }

            if (!replaced)
            {
                gauges[gaugeCount++] = gauge;
            }
        }

        var sets = Merge(shards, static s => s.Sets, static s => s.SetOrder);

        var processingMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new MetricSnapshot
        {
            Timestamp = timestamp,
            Counters = counterList,
            CounterRates = new CounterRateList(counterList, settings.FlushIntervalMs / 1000),
            Timers = timers,
            TimerData = timerData,
            Gauges = new ArraySegment<NamedValue>(gauges, 0, gaugeCount),
            Sets = sets,
            PercentThresholds = settings.PercentThresholds,
            StatsdMetrics = extraStatsdMetrics is null
                ? [new NamedValue("processing_time", processingMs)]
                : [new NamedValue("processing_time", processingMs), .. extraStatsdMetrics],
            PrefixStats = prefix,
            FlushIntervalMs = settings.FlushIntervalMs,
            EstimatedBytes = EstimateBytes(counterList, timers, gauges.AsSpan(0, gaugeCount), sets),
        };
    }

    /// <summary>
    /// What a snapshot holds, roughly: 16 bytes per name and value, the name strings (counted although the shards
    /// usually share them, as they do not under <c>deleteCounters</c>), timer values and set members. Bounds the
    /// backends' queues (issue 21: 5M keys queued behind a slow flush took 5.5 GB).
    /// </summary>
    internal static long EstimateBytes(IReadOnlyList<NamedValue> counters, TimerSnapshot[] timers, ReadOnlySpan<NamedValue> gauges, SetSnapshot[] sets)
    {
        const int StringOverhead = 22;
        const int Entry = 16;
        long bytes = 1024;
        for (var i = 0; i < counters.Count; i++)
        {
            bytes += Entry + StringOverhead + (2L * counters[i].Name.Length);
        }

        foreach (var gauge in gauges)
        {
            bytes += Entry + StringOverhead + (2L * gauge.Name.Length);
        }

        foreach (var timer in timers)
        {
            bytes += 64 + StringOverhead + (2L * timer.Name.Length) + (8L * timer.Values.Length) + 256;
        }

        foreach (var set in sets)
        {
            bytes += 64 + StringOverhead + (2L * set.Name.Length);
            foreach (var member in set.Members)
            {
                bytes += 8 + StringOverhead + (2L * member.Length);
            }
        }

        return bytes;
    }

    /// <summary>
    /// Concatenates the shards' lists in key creation order (JavaScript object order). Each shard's list is
    /// already in that order; a sort of the concatenation by creation stamp merges them.
    /// </summary>
    internal static T[] Merge<T>(IReadOnlyList<ShardSnapshot> shards, Func<ShardSnapshot, T[]> items, Func<ShardSnapshot, long[]?> orders)
    {
        var total = 0;
        foreach (var shard in shards)
        {
            total += items(shard).Length;
        }

        var result = new T[total];
        MergeInto(shards, items, orders, result);
        return result;
    }

    /// <summary><see cref="Merge"/> into <paramref name="destination"/>; returns how many items it wrote.</summary>
    internal static int MergeInto<T>(IReadOnlyList<ShardSnapshot> shards, Func<ShardSnapshot, T[]> items, Func<ShardSnapshot, long[]?> orders, Span<T> destination)
    {
        var total = 0;
        var sources = 0;
        foreach (var shard in shards)
        {
            var count = items(shard).Length;
            total += count;
            sources += count > 0 ? 1 : 0;
        }

        var at = 0;
        if (sources <= 1)
        {
            foreach (var shard in shards)
            {
                var list = items(shard);
                list.CopyTo(destination[at..]);
                at += list.Length;
            }

            return at;
        }

        var keys = new long[total];
        foreach (var shard in shards)
        {
            var list = items(shard);
            var order = orders(shard);
            for (var i = 0; i < list.Length; i++)
            {
                keys[at] = order?[i] ?? i;
                destination[at++] = list[i];
            }
        }

        // Orders are unique across shards, so an unstable sort is deterministic here.
        keys.AsSpan().Sort(destination[..total]);
        return total;
    }
}

/// <summary>Counter rates (value / interval seconds) computed when read, so a flush does not hold a second array per key.</summary>
internal sealed class CounterRateList(IReadOnlyList<NamedValue> counters, double seconds) : IReadOnlyList<double>
{
    public double this[int index] => counters[index].Value / seconds;

    public int Count => counters.Count;

    public IEnumerator<double> GetEnumerator()
    {
        for (var i = 0; i < counters.Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Etsy's internal counters for one interval.</summary>
internal readonly record struct InternalCounts(long Packets, long Lines, long BadLines);
