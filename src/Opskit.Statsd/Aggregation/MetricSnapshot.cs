namespace Opskit.Statsd.Aggregation;

/// <summary>
/// Everything one flush hands to the backends, computed once and never mutated: Etsy's <c>metrics</c> hash after
/// <c>process_metrics</c> (counters, counter_rates, timers, timer_counters, timer_data, gauges, sets,
/// pctThreshold, histogram, statsd_metrics). Every backend gets the same instance.
/// </summary>
internal sealed record MetricSnapshot
{
    /// <summary>Flush time in Unix seconds (Etsy <c>Math.round(Date.now() / 1000)</c>).</summary>
    public required long Timestamp { get; init; }

    public required IReadOnlyList<NamedValue> Counters { get; init; }

    /// <summary>Per-second rates, same order as <see cref="Counters"/>.</summary>
    public required IReadOnlyList<double> CounterRates { get; init; }

    /// <summary>Raw (sorted) timer values and counts.</summary>
    public required IReadOnlyList<TimerSnapshot> Timers { get; init; }

    /// <summary>Computed timer statistics, same order as <see cref="Timers"/>.</summary>
    public required IReadOnlyList<TimerData> TimerData { get; init; }

    public required IReadOnlyList<NamedValue> Gauges { get; init; }

    public required IReadOnlyList<SetSnapshot> Sets { get; init; }

    public required IReadOnlyList<double> PercentThresholds { get; init; }

    /// <summary>Etsy <c>statsd_metrics</c>: <c>processing_time</c> in ms.</summary>
    public required IReadOnlyList<NamedValue> StatsdMetrics { get; init; }

    /// <summary>Etsy <c>prefixStats</c> at the time of the flush.</summary>
    public required string PrefixStats { get; init; }

    /// <summary>Flush interval in ms.</summary>
    public required double FlushIntervalMs { get; init; }

    /// <summary>Roughly what this snapshot holds in memory, in bytes (bounds the backends' queues).</summary>
    public long EstimatedBytes { get; init; }
}
