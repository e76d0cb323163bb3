namespace Opskit.Statsd.Aggregation;

/// <summary>
/// The reloadable part of the configuration that aggregation and flushing read, swapped atomically on reload
/// (Etsy re-reads exactly these on a config change; listeners, flush interval and backends stay).
/// </summary>
internal sealed record AggregationSettings
{
    public bool DeleteCounters { get; init; }

    public bool DeleteTimers { get; init; }

    public bool DeleteSets { get; init; }

    public bool DeleteGauges { get; init; }

    /// <summary>Etsy forces this to 1 unless it is an integer greater than 1.</summary>
    public int GaugesMaxTtl { get; init; } = 1;

    public string PrefixStats { get; init; } = "statsd";

    /// <summary>Percentile thresholds (Etsy <c>percentThreshold</c>, default [90]); negative means "top".</summary>
    public IReadOnlyList<double> PercentThresholds { get; init; } = [90];

    /// <summary>Etsy <c>calculatedTimerMetrics</c>; null or empty means every metric.</summary>
    public IReadOnlyList<string>? CalculatedTimerMetrics { get; init; }

    /// <summary>Etsy <c>histogram</c>: first entry whose metric is a substring of the key wins.</summary>
    public IReadOnlyList<HistogramRule> Histograms { get; init; } = [];

    public double FlushIntervalMs { get; init; } = 10000;
}

/// <summary>One Etsy <c>histogram</c> entry; a bin of <see cref="double.PositiveInfinity"/> is Etsy's <c>'inf'</c>.</summary>
internal sealed record HistogramRule(string Metric, IReadOnlyList<double> Bins);
