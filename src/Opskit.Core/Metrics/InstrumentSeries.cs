using System.Diagnostics.Metrics;
using System.Globalization;
using System.Numerics;

namespace Opskit.Core.Metrics;

/// <summary>
/// What <see cref="MeterExporter"/> keeps of one instrument: its Prometheus family and one series per tag set.
/// The series array is replaced (never changed in place) when a tag set first appears, so recording reads it
/// without a lock.
/// </summary>
internal sealed class InstrumentSeries
{
    /// <summary>Series past this count share one overflow series, so a tag with unbounded values cannot exhaust memory.</summary>
    internal const int MaxSeries = 2000;

    private static readonly double[] SecondsBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly Lock _gate = new();
    private readonly InstrumentKind _kind;
    private readonly double[] _bounds = [];
    private volatile Series[] _series = [];
    private int _generation;

    public InstrumentSeries(Instrument instrument)
    {
        _kind = KindOf(instrument);
        Name = PrometheusNames.Family(instrument.Name, instrument.Unit, _kind == InstrumentKind.Counter || _kind == InstrumentKind.ObservableCounter);
        Help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
        if (_kind == InstrumentKind.Histogram)
        {
            _bounds = AdvisedBounds(instrument) ?? (instrument.Unit == "s" ? SecondsBounds : DefaultBounds);
        }
    }

    /// <summary>The Prometheus family name.</summary>
    public string Name { get; }

    /// <summary>The family's help text.</summary>
    public string Help { get; }

    private bool IsObservable => _kind is InstrumentKind.ObservableCounter or InstrumentKind.ObservableGauge;

    private bool SetsValue => IsObservable || _kind == InstrumentKind.Gauge;

    /// <summary>Records one measurement: integral values are kept as integers, so large counters lose nothing.</summary>
    public void Record<T>(T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct, INumber<T>
    {
        var series = Find(tags);
        if (_kind == InstrumentKind.Histogram)
        {
            series.Observe(double.CreateTruncating(value), _bounds);
        }
        else if (typeof(T) == typeof(long) || typeof(T) == typeof(int))
        {
            var integral = long.CreateTruncating(value);
            if (SetsValue)
            {
                series.Set(integral, _generation);
            }
            else
            {
                series.Add(integral);
            }
        }
        else if (SetsValue)
        {
            series.Set(double.CreateTruncating(value), _generation);
        }
        else
        {
            series.Add(double.CreateTruncating(value));
        }
    }

    /// <summary>Starts a scrape: observable series not reported again in it are left out of the output.</summary>
    public void BeginCollection() => Interlocked.Increment(ref _generation);

    public void WriteTo(PrometheusTextBuilder output)
    {
        var type = _kind switch
        {
            InstrumentKind.Counter or InstrumentKind.ObservableCounter => "counter",
            InstrumentKind.Histogram => "histogram",
            _ => "gauge",
        };
        output.Family(Name, Help, type);
        var all = _series;
        if (all.Length == 0 && !IsObservable)
        {
            // An instrument nobody has recorded on yet still shows as zero, as Prometheus client libraries do.
            WriteSeries(output, Series.For([], _bounds.Length));
            return;
        }

        var generation = Volatile.Read(ref _generation);
        foreach (var series in all)
        {
            if (!IsObservable || series.Generation == generation)
            {
                WriteSeries(output, series);
            }
        }
    }

    private void WriteSeries(PrometheusTextBuilder output, Series series)
    {
        if (_kind != InstrumentKind.Histogram)
        {
            output.Sample(Name, series.Value, series.Labels);
            return;
        }

        var labels = new (string Name, string Value)[series.Labels.Length + 1];
        series.Labels.CopyTo(labels, 0);
        var bucketName = Name + "_bucket";
        long cumulative = 0;
        for (var i = 0; i <= _bounds.Length; i++)
        {
            cumulative += series.BucketCount(i);
            labels[^1] = ("le", i < _bounds.Length ? PrometheusTextBuilder.FormatValue(_bounds[i]) : "+Inf");
            output.Sample(bucketName, cumulative, labels);
        }

        output.Sample(Name + "_sum", series.Value, series.Labels);
        output.Sample(Name + "_count", series.Count, series.Labels);
    }

    private Series Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var series in _series)
        {
            if (series.Matches(tags))
            {
                return series;
            }
        }

        return Add(tags);
    }

    private Series Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_gate)
        {
            var current = _series;
            foreach (var series in current)
            {
                if (series.Matches(tags))
                {
                    return series;
                }
            }

            Series created;
            if (current.Length >= MaxSeries)
            {
                KeyValuePair<string, object?>[] overflow = [new("otel_metric_overflow", "true")];
                foreach (var series in current)
                {
                    if (series.Matches(overflow))
                    {
                        return series;
                    }
                }

                created = Series.For(overflow, _bounds.Length);
            }
            else
            {
                created = Series.For(tags, _bounds.Length);
            }

            _series = [.. current, created];
            return created;
        }
    }

    private static double[]? AdvisedBounds(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        _ => null,
    };

    private static InstrumentKind KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return definition switch
        {
            _ when definition == typeof(Counter<>) => InstrumentKind.Counter,
            _ when definition == typeof(ObservableCounter<>) => InstrumentKind.ObservableCounter,
            _ when definition == typeof(Histogram<>) => InstrumentKind.Histogram,
            _ when definition == typeof(ObservableGauge<>) || definition == typeof(ObservableUpDownCounter<>) => InstrumentKind.ObservableGauge,
            _ when definition == typeof(Gauge<>) => InstrumentKind.Gauge,
            _ => InstrumentKind.UpDownCounter,
        };
    }

    private enum InstrumentKind
    {
        Counter,
        ObservableCounter,
        UpDownCounter,
        Gauge,
        ObservableGauge,
        Histogram,
    }

    /// <summary>One tag set's value; a histogram series also keeps bucket counts.</summary>
    private sealed class Series(string[] keys, object?[] values, (string Name, string Value)[] labels, int buckets)
    {
        private readonly long[] _buckets = buckets > 0 ? new long[buckets + 1] : [];
        private long _long;
        private double _double;
        private long _count;

        public (string Name, string Value)[] Labels { get; } = labels;

        public int Generation { get; private set; }

        public double Value => Interlocked.Read(ref _long) + Volatile.Read(ref _double);

        public long Count => Interlocked.Read(ref _count);

        public static Series For(ReadOnlySpan<KeyValuePair<string, object?>> tags, int buckets)
        {
            var ordered = tags.ToArray();
            Array.Sort(ordered, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var keys = new string[ordered.Length];
            var values = new object?[ordered.Length];
            var labels = new (string Name, string Value)[ordered.Length];
            for (var i = 0; i < ordered.Length; i++)
            {
                keys[i] = ordered[i].Key;
                values[i] = ordered[i].Value;
                labels[i] = (PrometheusNames.Label(ordered[i].Key), Convert.ToString(ordered[i].Value, CultureInfo.InvariantCulture) ?? string.Empty);
            }

            return new Series(keys, values, labels, buckets);
        }

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != keys.Length)
            {
                return false;
            }

            foreach (var tag in tags)
            {
                var index = Array.IndexOf(keys, tag.Key);
                if (index < 0 || !Equals(values[index], tag.Value))
                {
                    return false;
                }
            }

            return true;
        }

        public void Add(long value) => Interlocked.Add(ref _long, value);

        public void Add(double value)
        {
            var current = Volatile.Read(ref _double);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref _double, current + value, current);
                if (seen.Equals(current))
                {
                    return;
                }

                current = seen;
            }
        }

        public void Set(long value, int generation)
        {
            Volatile.Write(ref _double, 0);
            Interlocked.Exchange(ref _long, value);
            Generation = generation;
        }

        public void Set(double value, int generation)
        {
            Interlocked.Exchange(ref _long, 0);
            Volatile.Write(ref _double, value);
            Generation = generation;
        }

        public void Observe(double value, double[] bounds)
        {
            var bucket = bounds.Length;
            for (var i = 0; i < bounds.Length; i++)
            {
                if (value <= bounds[i])
                {
                    bucket = i;
                    break;
                }
            }

            Interlocked.Increment(ref _buckets[bucket]);
            Add(value);
            Interlocked.Increment(ref _count);
        }

        public long BucketCount(int index) => index < _buckets.Length ? Interlocked.Read(ref _buckets[index]) : 0;
    }
}
