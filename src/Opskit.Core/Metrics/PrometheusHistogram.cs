namespace Opskit.Core.Metrics;

/// <summary>
/// A lock-free histogram with fixed upper bounds, rendered as a Prometheus histogram family (cumulative
/// <c>_bucket</c> samples, <c>_sum</c>, <c>_count</c>). Recording is a few interlocked adds, so hot paths
/// can record without contention or allocation.
/// </summary>
public sealed class PrometheusHistogram
{
    private readonly double[] _bounds;
    private readonly long[] _counts;
    private long _sumMicros;
    private long _count;

    /// <summary>Creates a histogram; <paramref name="bounds"/> are the bucket upper bounds, ascending.</summary>
    public PrometheusHistogram(string name, string help, double[] bounds)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        for (var i = 1; i < bounds.Length; i++)
        {
            if (bounds[i] <= bounds[i - 1])
            {
                throw new ArgumentException("bucket bounds must be ascending", nameof(bounds));
            }
        }

        Name = name;
        Help = help;
        _bounds = bounds;
        _counts = new long[bounds.Length + 1];
    }

    /// <summary>The family name.</summary>
    public string Name { get; }

    /// <summary>The family's help text.</summary>
    public string Help { get; }

    /// <summary>Observations recorded so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Records one observation (the sum keeps microsecond resolution: values are seconds or counts).</summary>
    public void Record(double value)
    {
        var bucket = _bounds.Length;
        for (var i = 0; i < _bounds.Length; i++)
        {
            if (value <= _bounds[i])
            {
                bucket = i;
                break;
            }
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumMicros, (long)(value * 1_000_000));
        Interlocked.Increment(ref _count);
    }

    /// <summary>Writes the family: header, cumulative buckets up to <c>+Inf</c>, sum and count.</summary>
    public void WriteTo(PrometheusTextBuilder output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Family(Name, Help, "histogram");
        long cumulative = 0;
        var bucketName = Name + "_bucket";
        for (var i = 0; i < _bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            output.Sample(bucketName, cumulative, ("le", PrometheusTextBuilder.FormatValue(_bounds[i])));
        }

        cumulative += Interlocked.Read(ref _counts[^1]);
        output.Sample(bucketName, cumulative, ("le", "+Inf"));
        output.Sample(Name + "_sum", Interlocked.Read(ref _sumMicros) / 1_000_000.0);
        output.Sample(Name + "_count", Interlocked.Read(ref _count));
    }
}
