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
        var timerTotal = 0;
        var gaugeTotal = extraGauges.Count;
        var setTotal = 0;
        foreach (var shard in shards)
        {
            total += shard.Counters.Length;
            timerTotal += shard.Timers.Length;
            gaugeTotal += shard.Gauges.Length;
            setTotal += shard.Sets.Length;
        }

        // Etsy creates the three internal counters first, so they lead the counters object.
        var counters = new List<NamedValue>(total);
        counters.Add(default);
        counters.Add(default);
        counters.Add(default);
        foreach (var counter in Merge(shards, static s => s.Counters, static s => s.CounterOrder))
        {
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

            counters.Add(counter);
        }

        counters[0] = new NamedValue(badName, bad);
        counters[1] = new NamedValue(packetsName, packets);
        counters[2] = new NamedValue(metricsName, metrics);

        var seconds = settings.FlushIntervalMs / 1000;
        var rates = new double[counters.Count];
        for (var i = 0; i < rates.Length; i++)
        {
            rates[i] = counters[i].Value / seconds;
        }

        var timers = Merge(shards, static s => s.Timers, static s => s.TimerOrder);
        var timerData = new List<TimerData>(timerTotal);
        foreach (var timer in timers)
        {
            timerData.Add(TimerStatistics.Compute(timer.Name, timer.Values, timer.Count, settings));
        }

        var gauges = Merge(shards, static s => s.Gauges, static s => s.GaugeOrder);

        foreach (var gauge in extraGauges)
        {
            var replaced = false;
            for (var i = 0; i < gauges.Count && !replaced; i++)
            {
                if (gauges[i].Name == gauge.Name)
                {
                    gauges[i] = gauge;
                    replaced = true;
                }
            }

            if (!replaced)
            {
                gauges.Add(gauge);
            }
        }

        var sets = Merge(shards, static s => s.Sets, static s => s.SetOrder);

        var processingMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new MetricSnapshot
        {
            Timestamp = timestamp,
            Counters = counters,
            CounterRates = rates,
            Timers = timers,
            TimerData = timerData,
            Gauges = gauges,
            Sets = sets,
            PercentThresholds = settings.PercentThresholds,
            StatsdMetrics = extraStatsdMetrics is null
                ? [new NamedValue("processing_time", processingMs)]
                : [new NamedValue("processing_time", processingMs), .. extraStatsdMetrics],
            PrefixStats = prefix,
            FlushIntervalMs = settings.FlushIntervalMs,
        };
    }

    /// <summary>
    /// Concatenates the shards' lists in key creation order (JavaScript object order). Each shard's list is
    /// already in that order; a stable sort of the concatenation merges them.
    /// </summary>
    internal static List<T> Merge<T>(IReadOnlyList<ShardSnapshot> shards, Func<ShardSnapshot, T[]> items, Func<ShardSnapshot, long[]?> orders)
    {
        var total = 0;
        var sources = 0;
        foreach (var shard in shards)
        {
            var count = items(shard).Length;
            total += count;
            sources += count > 0 ? 1 : 0;
        }

        var result = new List<T>(total);
        if (sources <= 1)
        {
            foreach (var shard in shards)
            {
                result.AddRange(items(shard));
            }

            return result;
        }

        var keys = new long[total];
        var values = new T[total];
        var at = 0;
        foreach (var shard in shards)
        {
            var list = items(shard);
            var order = orders(shard);
            for (var i = 0; i < list.Length; i++)
            {
                keys[at] = order?[i] ?? i;
                values[at++] = list[i];
            }
        }

        // Orders are unique across shards, so an unstable sort is deterministic here.
        Array.Sort(keys, values);
        result.AddRange(values);
        return result;
    }
}

/// <summary>Etsy's internal counters for one interval.</summary>
internal readonly record struct InternalCounts(long Packets, long Lines, long BadLines);
