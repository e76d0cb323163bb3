using Opskit.Statsd.Aggregation;

namespace Opskit.Statsd.Tests.Aggregation;

/// <summary>Every assertion of Etsy's <c>test/process_metrics_tests.js</c>; each test names the Etsy test it ports.</summary>
public sealed class ProcessMetricsTests
{
    private static readonly HistogramRule[] EtsyHistogram =
    [
        new("foo", []),
        new("abcd", [1, 5, double.PositiveInfinity]),
        new("abc", [1, 2.21, double.PositiveInfinity]),
        new("a", [1, 2]),
    ];

    private static TimerData Timer(
        double[] values,
        double count,
        double flushMs = 100,
        double[]? pct = null,
        string[]? filter = null,
        HistogramRule[]? histogram = null,
        string key = "a") =>
        TimerStatistics.Compute(key, values, count, new AggregationSettings
        {
            FlushIntervalMs = flushMs,
            PercentThresholds = pct ?? [],
            CalculatedTimerMetrics = filter,
            Histograms = histogram ?? [],
        });

    private static double? Get(TimerData data, string name)
    {
        foreach (var stat in data.Stats)
        {
            if (stat.Name == name)
            {
                return stat.Value;
            }
        }

        return null;
    }

    private static double? Bin(TimerData data, string name)
    {
        if (data.Histogram is null)
        {
            return null;
        }

        foreach (var stat in data.Histogram)
        {
            if (stat.Name == name)
            {
                return stat.Value;
            }
        }

        return null;
    }

    private static MetricSnapshot Counters(double flushMs, params NamedValue[] counters) =>
        SnapshotBuilder.Build(
            [new ShardSnapshot(counters, [], [], [])],
            default,
            [],
            new AggregationSettings { FlushIntervalMs = flushMs },
            0);

    private static double Rate(MetricSnapshot snapshot, string name)
    {
        for (var i = 0; i < snapshot.Counters.Count; i++)
        {
            if (snapshot.Counters[i].Name == name)
            {
                return snapshot.CounterRates[i];
            }
        }

        throw new KeyNotFoundException(name);
    }

    [Fact] // process_metrics_tests.counters_has_stats_count
    public void Counters_have_stats_count()
    {
        var snapshot = Counters(1000, new NamedValue("a", 2));
        Assert.Equal(2, snapshot.Counters.Single(c => c.Name == "a").Value);
    }

    [Fact] // process_metrics_tests.counters_has_correct_rate
    public void Counters_have_correct_rate() => Assert.Equal(20, Rate(Counters(100, new NamedValue("a", 2)), "a"));

    [Fact] // process_metrics_tests.timers_handle_empty
    public void Timers_handle_empty()
    {
        var data = Timer([], 0);
        Assert.Equal(0, Get(data, "count"));
        Assert.Equal(0, Get(data, "count_ps"));
        Assert.Equal(2, data.Stats.Count);
        // Etsy asserts counter_rates has no entry for the timer key.
        var snapshot = SnapshotBuilder.Build(
            [new ShardSnapshot([], [new TimerSnapshot("a", [], 0)], [], [])], default, [], new AggregationSettings(), 0);
        Assert.DoesNotContain(snapshot.Counters, c => c.Name == "a");
    }

    [Fact] // process_metrics_tests.timers_single_time
    public void Timers_single_time()
    {
        var data = Timer([100], 1);
        Assert.Equal(0, Get(data, "std"));
        Assert.Equal(100, Get(data, "upper"));
        Assert.Equal(100, Get(data, "lower"));
        Assert.Equal(1, Get(data, "count"));
        Assert.Equal(10, Get(data, "count_ps"));
        Assert.Equal(100, Get(data, "sum"));
        Assert.Equal(100 * 100, Get(data, "sum_squares"));
        Assert.Equal(100, Get(data, "mean"));
        Assert.Equal(100, Get(data, "median"));
    }

    [Fact] // process_metrics_tests.timer_single_time_with_one_filter
    public void Timer_single_time_with_one_filter()
    {
        var data = Timer([100], 1, filter: ["upper", "lower", "count", "count_ps", "sum", "sum_squares", "mean", "median"]);
        Assert.Equal(8, data.Stats.Count);
        Assert.Null(Get(data, "std"));
        Assert.Equal(100, Get(data, "upper"));
        Assert.Equal(100, Get(data, "lower"));
        Assert.Equal(1, Get(data, "count"));
        Assert.Equal(10, Get(data, "count_ps"));
        Assert.Equal(100, Get(data, "sum"));
        Assert.Equal(100 * 100, Get(data, "sum_squares"));
        Assert.Equal(100, Get(data, "mean"));
        Assert.Equal(100, Get(data, "median"));
    }

    [Fact] // process_metrics_tests.timer_single_time_multiple_filter
    public void Timer_single_time_multiple_filter()
    {
        var data = Timer([100], 1, filter: ["upper", "lower", "count_ps", "sum_squares"]);
        Assert.Equal(4, data.Stats.Count);
        Assert.Null(Get(data, "std"));
        Assert.Equal(100, Get(data, "upper"));
        Assert.Equal(100, Get(data, "lower"));
        Assert.Null(Get(data, "count"));
        Assert.Equal(10, Get(data, "count_ps"));
        Assert.Null(Get(data, "sum"));
        Assert.Equal(100 * 100, Get(data, "sum_squares"));
        Assert.Null(Get(data, "mean"));
        Assert.Null(Get(data, "median"));
    }

    [Fact] // process_metrics_tests.timers_multiple_times
    public void Timers_multiple_times()
    {
        var data = Timer([100, 200, 300], 3);
        Assert.Equal(81.64965809277261, Get(data, "std"));
        Assert.Equal(300, Get(data, "upper"));
        Assert.Equal(100, Get(data, "lower"));
        Assert.Equal(3, Get(data, "count"));
        Assert.Equal(30, Get(data, "count_ps"));
        Assert.Equal(600, Get(data, "sum"));
        Assert.Equal((100 * 100) + (200 * 200) + (300 * 300), Get(data, "sum_squares"));
        Assert.Equal(200, Get(data, "mean"));
        Assert.Equal(200, Get(data, "median"));
    }

    [Fact] // process_metrics_tests.timers_multiple_times_with_calculated_timer_metrics
    public void Timers_multiple_times_with_calculated_timer_metrics()
    {
        var data = Timer([100, 200, 300], 3, filter: ["std", "count", "sum_squares", "mean", "median"]);
        Assert.Equal(81.64965809277261, Get(data, "std"));
        Assert.Null(Get(data, "upper"));
        Assert.Null(Get(data, "lower"));
        Assert.Equal(3, Get(data, "count"));
        Assert.Null(Get(data, "count_ps"));
        Assert.Null(Get(data, "sum"));
        Assert.Equal((100 * 100) + (200 * 200) + (300 * 300), Get(data, "sum_squares"));
        Assert.Equal(200, Get(data, "mean"));
        Assert.Equal(200, Get(data, "median"));
    }

    [Fact] // process_metrics_tests.timers_single_time_single_percentile
    public void Timers_single_time_single_percentile()
    {
        var data = Timer([100], 1, pct: [90]);
        Assert.Equal(100, Get(data, "mean_90"));
        Assert.Equal(100, Get(data, "upper_90"));
        Assert.Equal(100, Get(data, "sum_90"));
        Assert.Equal(100 * 100, Get(data, "sum_squares_90"));
    }

    [Fact] // process_metrics_tests.timers_single_time_single_percentile_with_calculated_timer_metrics
    public void Timers_single_time_single_percentile_with_calculated_timer_metrics()
    {
        var data = Timer([100], 1, pct: [90], filter: ["upper_percent", "sum_squares_percent"]);
        Assert.Null(Get(data, "mean_90"));
        Assert.Equal(100, Get(data, "upper_90"));
        Assert.Null(Get(data, "sum_90"));
        Assert.Equal(100 * 100, Get(data, "sum_squares_90"));
    }

    [Fact] // process_metrics_tests.timers_single_time_multiple_percentiles
    public void Timers_single_time_multiple_percentiles()
    {
        var data = Timer([100], 1, pct: [90, 80]);
        Assert.Equal(1, Get(data, "count_90"));
        Assert.Equal(100, Get(data, "mean_90"));
        Assert.Equal(100, Get(data, "upper_90"));
        Assert.Equal(100, Get(data, "sum_90"));
        Assert.Equal(100 * 100, Get(data, "sum_squares_90"));
        Assert.Equal(1, Get(data, "count_80"));
        Assert.Equal(100, Get(data, "mean_80"));
        Assert.Equal(100, Get(data, "upper_80"));
        Assert.Equal(100, Get(data, "sum_80"));
        Assert.Equal(100 * 100, Get(data, "sum_squares_80"));
    }

    [Fact] // process_metrics_tests.timers_single_time_multiple_percentiles_with_calculated_timer_metrics
    public void Timers_single_time_multiple_percentiles_with_calculated_timer_metrics()
    {
        var data = Timer([100], 1, pct: [90, 80], filter: ["mean_percent", "sum_percent"]);
        Assert.Null(Get(data, "count_90"));
        Assert.Equal(100, Get(data, "mean_90"));
        Assert.Null(Get(data, "upper_90"));
        Assert.Equal(100, Get(data, "sum_90"));
        Assert.Null(Get(data, "sum_squares_90"));
        Assert.Null(Get(data, "count_80"));
        Assert.Equal(100, Get(data, "mean_80"));
        Assert.Null(Get(data, "upper_80"));
        Assert.Equal(100, Get(data, "sum_80"));
        Assert.Null(Get(data, "sum_squares_80"));
    }

    [Fact] // process_metrics_tests.timers_multiple_times_single_percentiles
    public void Timers_multiple_times_single_percentiles()
    {
        var data = Timer([100, 200, 300], 3, pct: [90]);
        Assert.Equal(3, Get(data, "count_90"));
        Assert.Equal(200, Get(data, "mean_90"));
        Assert.Equal(300, Get(data, "upper_90"));
        Assert.Equal(600, Get(data, "sum_90"));
        Assert.Equal((100 * 100) + (200 * 200) + (300 * 300), Get(data, "sum_squares_90"));
    }

    [Fact] // process_metrics_tests.timers_multiple_times_single_percentiles_with_calculated_timer_metrics
    public void Timers_multiple_times_single_percentiles_with_calculated_timer_metrics()
    {
        var data = Timer([100, 200, 300], 3, pct: [90], filter: ["count_percent", "mean_percent", "upper_percent"]);
        Assert.Equal(3, Get(data, "count_90"));
        Assert.Equal(200, Get(data, "mean_90"));
        Assert.Equal(300, Get(data, "upper_90"));
        Assert.Null(Get(data, "sum_90"));
        Assert.Null(Get(data, "sum_squares_90"));
    }

    [Fact] // process_metrics_tests.timers_multiple_times_multiple_percentiles
    public void Timers_multiple_times_multiple_percentiles()
    {
        var data = Timer([100, 200, 300], 3, pct: [90, 80]);
        Assert.Equal(3, Get(data, "count"));
        Assert.Equal(3, Get(data, "count_90"));
        Assert.Equal(200, Get(data, "mean_90"));
        Assert.Equal(300, Get(data, "upper_90"));
        Assert.Equal(600, Get(data, "sum_90"));
        Assert.Equal((100 * 100) + (200 * 200) + (300 * 300), Get(data, "sum_squares_90"));
        Assert.Equal(2, Get(data, "count_80"));
        Assert.Equal(150, Get(data, "mean_80"));
        Assert.Equal(200, Get(data, "upper_80"));
        Assert.Equal(300, Get(data, "sum_80"));
        Assert.Equal((100 * 100) + (200 * 200), Get(data, "sum_squares_80"));
    }

    [Fact] // process_metrics_tests.timers_multiple_times_multiple_percentiles_with_calculated_timer_metrics
    public void Timers_multiple_times_multiple_percentiles_with_calculated_timer_metrics()
    {
        var data = Timer([100, 200, 300], 3, pct: [90, 80], filter: ["count_percent", "sum_percent", "sum_squares_percent"]);
        Assert.Null(Get(data, "count"));
        Assert.Equal(3, Get(data, "count_90"));
        Assert.Null(Get(data, "mean_90"));
        Assert.Null(Get(data, "upper_90"));
        Assert.Equal(600, Get(data, "sum_90"));
        Assert.Equal((100 * 100) + (200 * 200) + (300 * 300), Get(data, "sum_squares_90"));
        Assert.Equal(2, Get(data, "count_80"));
        Assert.Null(Get(data, "mean_80"));
        Assert.Null(Get(data, "upper_80"));
        Assert.Equal(300, Get(data, "sum_80"));
        Assert.Equal((100 * 100) + (200 * 200), Get(data, "sum_squares_80"));
    }

    [Fact] // process_metrics_tests.timers_sampled_times
    public void Timers_sampled_times()
    {
        var data = Timer([100, 200, 300], 50, pct: [90, 80]);
        Assert.Equal(50, Get(data, "count"));
        Assert.Equal(500, Get(data, "count_ps"));
        Assert.Equal(200, Get(data, "mean_90"));
        Assert.Equal(300, Get(data, "upper_90"));
        Assert.Equal(600, Get(data, "sum_90"));
        Assert.Equal(150, Get(data, "mean_80"));
        Assert.Equal(200, Get(data, "upper_80"));
        Assert.Equal(300, Get(data, "sum_80"));
    }

    [Theory] // process_metrics_tests.timers_histogram and timers_histogram_with_calculated_timer_metrics
    [InlineData(false)]
    [InlineData(true)]
    public void Timers_histogram(bool withFilter)
    {
        string[]? filter = withFilter ? ["histogram"] : null;
        TimerData T(string key, double[] values) => Timer(values, values.Length, filter: filter, histogram: EtsyHistogram, key: key);
        var a = T("a", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        var abc = T("abc", [0.1234, 2.89, 4, 6, 8]);
        // nothing matches the 'abcd' rule, so nothing has bin_5
        Assert.Null(Bin(a, "bin_5"));
        Assert.Null(Bin(abc, "bin_5"));
        // 'a' got the right rule and numbers
        Assert.Equal(0, Bin(a, "bin_1"));
        Assert.Equal(1, Bin(a, "bin_2"));
        Assert.Null(Bin(a, "bin_inf"));
        // only 'abc' has bin_inf, with all its counts and no other bins
        Assert.Equal(1, Bin(abc, "bin_1"));
        Assert.Equal(0, Bin(abc, "bin_2_21"));
        Assert.Equal(4, Bin(abc, "bin_inf"));
        Assert.Equal(3, abc.Histogram!.Count);
        // histograms disabled ('foo' explicitly, the rest implicitly)
        Assert.Null(T("foo", [0, 2, 4, 6, 8]).Histogram);
        Assert.Null(T("barbazfoobar", [0, 2, 4, 6, 8]).Histogram);
        Assert.Null(T("bar.bazfoobar.abc", [0, 2, 4, 6, 8]).Histogram);
        Assert.Null(T("xyz", [0, 2, 4, 6, 8]).Histogram);
        if (withFilter)
        {
            Assert.Empty(a.Stats);
        }
    }

    [Fact] // process_metrics_tests.timers_single_time_single_top_percentile
    public void Timers_single_time_single_top_percentile()
    {
        var data = Timer([100], 0, pct: [-10]);
        Assert.Equal(100, Get(data, "mean_top10"));
        Assert.Equal(100, Get(data, "lower_top10"));
        Assert.Equal(100, Get(data, "sum_top10"));
    }

    [Fact] // process_metrics_tests.timers_single_time_single_top_percentile_with_calculated_timer_metrics
    public void Timers_single_time_single_top_percentile_with_calculated_timer_metrics()
    {
        var data = Timer([100], 0, pct: [-10], filter: ["lower_percent"]);
        Assert.Null(Get(data, "mean_top10"));
        Assert.Equal(100, Get(data, "lower_top10"));
        Assert.Null(Get(data, "sum_top10"));
    }

    [Fact] // process_metrics_tests.timers_multiple_times_single_top_percentile
    public void Timers_multiple_times_single_top_percentile()
    {
        var data = Timer([10, 10, 10, 10, 10, 10, 10, 10, 100, 200], 0, pct: [-20]);
        Assert.Equal(150, Get(data, "mean_top20"));
        Assert.Equal(100, Get(data, "lower_top20"));
        Assert.Equal(300, Get(data, "sum_top20"));
    }

    [Fact] // process_metrics_tests.timers_multiple_times_single_top_percentile_with_calculated_timer_metrics
    public void Timers_multiple_times_single_top_percentile_with_calculated_timer_metrics()
    {
        var data = Timer([10, 10, 10, 10, 10, 10, 10, 10, 100, 200], 0, pct: [-20], filter: ["mean_percent", "sum_percent"]);
        Assert.Equal(150, Get(data, "mean_top20"));
        Assert.Null(Get(data, "lower_top20"));
        Assert.Equal(300, Get(data, "sum_top20"));
    }

    [Fact] // process_metrics_tests.statsd_metrics_exist
    public void Statsd_metrics_exist()
    {
        var snapshot = Counters(100);
        Assert.Contains(snapshot.StatsdMetrics, m => m.Name == "processing_time");
    }

    [Fact] // process_metrics_tests.timers_multiple_times_even
    public void Timers_multiple_times_even() => Assert.Equal(250, Get(Timer([300, 200, 400, 100], 0), "median"));

    [Fact] // process_metrics_tests.timers_multiple_times_even_with_calculated_timer_metrics
    public void Timers_multiple_times_even_with_calculated_timer_metrics() =>
        Assert.Equal(250, Get(Timer([300, 200, 400, 100], 0, filter: ["median"]), "median"));

    [Fact] // process_metrics_tests.timers_with_invalid_filter (a non-array filter means "no filter")
    public void Timers_with_invalid_filter()
    {
        var data = Timer([100], 1, filter: []);
        Assert.Equal(0, Get(data, "std"));
        Assert.Equal(100, Get(data, "upper"));
        Assert.Equal(100, Get(data, "lower"));
        Assert.Equal(1, Get(data, "count"));
        Assert.Equal(10, Get(data, "count_ps"));
        Assert.Equal(100, Get(data, "sum"));
        Assert.Equal(100 * 100, Get(data, "sum_squares"));
        Assert.Equal(100, Get(data, "mean"));
        Assert.Equal(100, Get(data, "median"));
    }

    [Fact]
    public void Percentile_names_follow_Etsy_cleaning()
    {
        var data = Timer([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10, pct: [99.9, -50]);
        Assert.Equal(10, Get(data, "upper_99_9"));
        Assert.Equal(6, Get(data, "lower_top50"));
        Assert.Equal(40, Get(data, "sum_top50"));
        // Etsy's filter regex only strips the last digit group: "count_99_9" becomes "count_99_percent" and is dropped.
        var filtered = Timer([1, 2, 3], 3, pct: [99.9], filter: ["count_percent"]);
        Assert.Null(Get(filtered, "count_99_9"));
    }

    [Fact]
    public void Top_percentile_covering_every_value_gives_NaN_sum_as_Etsy()
    {
        // Etsy reads cumulativeValues[-1] (undefined) when the top N% is every value.
        var data = Timer([1, 2], 2, pct: [-100]);
        Assert.True(double.IsNaN(Get(data, "sum_top100")!.Value));
        Assert.Equal(1, Get(data, "lower_top100"));
    }
}
