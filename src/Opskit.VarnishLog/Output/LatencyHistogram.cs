using System.Numerics;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Output;

/// <summary>
/// Request times in log-linear buckets (exact below 128 µs, then 64 buckets per power of two, about 1.6% wide):
/// fixed memory however many requests, percentiles within one bucket.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Exact = 128;
    private const int SubBuckets = 64;
    private readonly long[] _counts = new long[Exact + (57 * SubBuckets)];

    public long Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(double milliseconds)
    {
        if (!double.IsFinite(milliseconds))
        {
            return;
        }

        var micros = milliseconds <= 0 ? 0L : milliseconds >= 9e15 ? (long)9e15 : (long)(milliseconds * 1000);
        _counts[Index(micros)]++;
        Count++;
    }

    /// <summary>The time (ms) below which <paramref name="fraction"/> of the requests fall; NaN when empty.</summary>
    public double Percentile(double fraction)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(fraction * Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= Math.Max(1, rank))
            {
                return Middle(i) / 1000.0;
            }
        }

        return Middle(_counts.Length - 1) / 1000.0;
    }

    private static int Index(long micros)
    {
        if (micros < Exact)
        {
            return (int)micros;
        }

        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)micros);
        var sub = (int)(micros >> (exponent - 6)) & (SubBuckets - 1);
        return Exact + ((exponent - 7) * SubBuckets) + sub;
    }

    private static double Middle(int index)
    {
        if (index < Exact)
        {
            return index;
        }

        var exponent = ((index - Exact) / SubBuckets) + 7;
        var sub = (index - Exact) % SubBuckets;
        var width = 1L << (exponent - 6);
        return ((SubBuckets + sub) * (double)width) + (width / 2.0);
    }
}
