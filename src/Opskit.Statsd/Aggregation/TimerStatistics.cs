using System.Buffers;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// Etsy's <c>lib/process_metrics.js</c> timer computation, operation for operation (same sums in the same order,
/// so the same floating-point results): percentile blocks, std, upper, lower, count, count_ps, sum,
/// sum_squares, mean, median, histogram bins, then the <c>calculatedTimerMetrics</c> filter.
/// </summary>
internal static class TimerStatistics
{
    /// <summary>Computes the statistics of one timer; <paramref name="values"/> is sorted in place (Etsy sorts too).</summary>
    public static TimerData Compute(string key, double[] values, double timerCount, AggregationSettings settings)
    {
        var stats = new List<NamedValue>(16);
        List<NamedValue>? histogram = null;
        var flushSeconds = settings.FlushIntervalMs / 1000;
        var count = values.Length;
        if (count > 0)
        {
            DoubleSort.Sort(values);
            var min = values[0];
            var max = values[count - 1];
            // Pooled: a busy timer holds many thousands of values, and two fresh arrays per timer per flush went
            // to the large object heap.
            var cumulative = ArrayPool<double>.Shared.Rent(count);
            var cumulativeSquares = ArrayPool<double>.Shared.Rent(count);
            cumulative[0] = min;
            cumulativeSquares[0] = min * min;
            for (var i = 1; i < count; i++)
            {
                cumulative[i] = values[i] + cumulative[i - 1];
                cumulativeSquares[i] = (values[i] * values[i]) + cumulativeSquares[i - 1];
            }

            var sum = min;
            var sumSquares = min * min;
            var mean = min;
            var thresholdBoundary = max;
            foreach (var pct in settings.PercentThresholds)
            {
                double numInThreshold = count;
                if (count > 1)
                {
                    numInThreshold = JsRound(Math.Abs(pct) / 100 * count);
                    if (numInThreshold == 0)
                    {
                        continue;
                    }

                    var n = (int)numInThreshold;
                    if (pct > 0)
                    {
                        thresholdBoundary = values[n - 1];
                        sum = cumulative[n - 1];
                        sumSquares = cumulativeSquares[n - 1];
                    }
                    else
                    {
                        thresholdBoundary = values[count - n];
                        // JS reads cumulativeValues[-1] as undefined (NaN) when the top N% is everything.
                        var before = count - n - 1 >= 0 ? cumulative[count - n - 1] : double.NaN;
                        var beforeSquares = count - n - 1 >= 0 ? cumulativeSquares[count - n - 1] : double.NaN;
                        sum = cumulative[count - 1] - before;
                        sumSquares = cumulativeSquares[count - 1] - beforeSquares;
                    }

                    mean = sum / numInThreshold;
                }

                var clean = CleanPercent(pct);
                stats.Add(new NamedValue("count_" + clean, numInThreshold));
                stats.Add(new NamedValue("mean_" + clean, mean));
                stats.Add(new NamedValue((pct > 0 ? "upper_" : "lower_") + clean, thresholdBoundary));
                stats.Add(new NamedValue("sum_" + clean, sum));
                stats.Add(new NamedValue("sum_squares_" + clean, sumSquares));
            }

            sum = cumulative[count - 1];
            sumSquares = cumulativeSquares[count - 1];
            ArrayPool<double>.Shared.Return(cumulative);
            ArrayPool<double>.Shared.Return(cumulativeSquares);
            mean = sum / count;
            var sumOfDiffs = 0.0;
            for (var i = 0; i < count; i++)
            {
                sumOfDiffs += (values[i] - mean) * (values[i] - mean);
            }

            var mid = count / 2;
            var median = count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
            stats.Add(new NamedValue("std", Math.Sqrt(sumOfDiffs / count)));
            stats.Add(new NamedValue("upper", max));
            stats.Add(new NamedValue("lower", min));
            stats.Add(new NamedValue("count", timerCount));
            stats.Add(new NamedValue("count_ps", timerCount / flushSeconds));
            stats.Add(new NamedValue("sum", sum));
            stats.Add(new NamedValue("sum_squares", sumSquares));
            stats.Add(new NamedValue("mean", mean));
            stats.Add(new NamedValue("median", median));

            IReadOnlyList<double> bins = [];
            foreach (var rule in settings.Histograms)
            {
                if (key.Contains(rule.Metric, StringComparison.Ordinal))
                {
                    bins = rule.Bins;
                    break;
                }
            }

            if (bins.Count > 0)
            {
                histogram = new List<NamedValue>(bins.Count);
                var i = 0;
                foreach (var bin in bins)
                {
                    var freq = 0;
                    for (; i < count && (double.IsPositiveInfinity(bin) || values[i] < bin); i++)
                    {
                        freq++;
                    }

                    histogram.Add(new NamedValue(BinName(bin), freq));
                }
            }
        }
        else
        {
            // Etsy writes `count = count_ps = 0`: JavaScript assigns count_ps first, so it leads the object.
            stats.Add(new NamedValue("count_ps", 0));
            stats.Add(new NamedValue("count", 0));
        }

        return Filter(new TimerData(key, stats, histogram), settings.CalculatedTimerMetrics);
    }

    /// <summary>Etsy <c>filter_timer_metrics</c>: keep keys whose name (with <c>_&lt;N&gt;</c>/<c>_top&lt;N&gt;</c> made <c>_percent</c>) is listed.</summary>
    private static TimerData Filter(TimerData data, IReadOnlyList<string>? filter)
    {
        if (filter is null || filter.Count == 0)
        {
            return data;
        }

        var kept = new List<NamedValue>(data.Stats.Count);
        foreach (var stat in data.Stats)
        {
            if (Contains(filter, PercentCleaned(stat.Name)))
            {
                kept.Add(stat);
            }
        }

        var histogram = data.Histogram is not null && Contains(filter, "histogram") ? data.Histogram : null;
        return data with { Stats = kept, Histogram = histogram };
    }

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        foreach (var item in list)
        {
            if (item == value)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>key.replace(/_(top)?\d+$/, "_percent")</c>.</summary>
    internal static string PercentCleaned(string key)
    {
        var end = key.Length;
        var i = end;
        while (i > 0 && char.IsAsciiDigit(key[i - 1]))
        {
            i--;
        }

        if (i == end)
        {
            return key;
        }

        if (i >= 4 && key.AsSpan(i - 3, 3).SequenceEqual("top") && key[i - 4] == '_')
        {
            return string.Concat(key.AsSpan(0, i - 4), "_percent");
        }

        if (i >= 1 && key[i - 1] == '_')
        {
            return string.Concat(key.AsSpan(0, i - 1), "_percent");
        }

        return key;
    }

    /// <summary><c>('' + pct).replace('.', '_').replace('-', 'top')</c>.</summary>
    internal static string CleanPercent(double pct)
    {
        var text = Protocol.JsNumber.ToJsString(pct);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            text = string.Concat(text.AsSpan(0, dot), "_", text.AsSpan(dot + 1));
        }

        var minus = text.IndexOf('-', StringComparison.Ordinal);
        if (minus >= 0)
        {
            text = string.Concat(text.AsSpan(0, minus), "top", text.AsSpan(minus + 1));
        }

        return text;
    }

    private static string BinName(double bin)
    {
        var text = double.IsPositiveInfinity(bin) ? "inf" : Protocol.JsNumber.ToJsString(bin);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return "bin_" + (dot >= 0 ? string.Concat(text.AsSpan(0, dot), "_", text.AsSpan(dot + 1)) : text);
    }

    /// <summary>JavaScript <c>Math.round</c>: halves round up, exactly (no <c>x + 0.5</c> error).</summary>
    internal static double JsRound(double x)
    {
        var floor = Math.Floor(x);
        return x - floor >= 0.5 ? floor + 1 : floor;
    }
}

/// <summary>
/// One timer's flushed statistics in Etsy's key order; <see cref="Histogram"/> holds <c>bin_*</c> counts when a
/// histogram rule matched.
/// </summary>
internal sealed record TimerData(string Key, IReadOnlyList<NamedValue> Stats, IReadOnlyList<NamedValue>? Histogram);
