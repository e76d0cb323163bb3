using System.Globalization;
using System.Text;

namespace Opskit.Cluster.Diagnostics;

/// <summary>A lock-free Prometheus histogram with fixed upper bounds.</summary>
internal sealed class Histogram(string name, string help, double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private long _sumMicros;
    private long _count;

    public string Name { get; } = name;

    public long Count => Interlocked.Read(ref _count);

    public void Record(double value)
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

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumMicros, (long)(value * 1_000_000));
        Interlocked.Increment(ref _count);
    }

    public void WriteTo(StringBuilder output)
    {
        output.Append(CultureInfo.InvariantCulture, $"# HELP {Name} {help}\n# TYPE {Name} histogram\n");
        long cumulative = 0;
        for (var i = 0; i < bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            output.Append(CultureInfo.InvariantCulture, $"{Name}_bucket{{le=\"{bounds[i]}\"}} {cumulative}\n");
        }

        cumulative += Interlocked.Read(ref _counts[^1]);
        output.Append(CultureInfo.InvariantCulture, $"{Name}_bucket{{le=\"+Inf\"}} {cumulative}\n");
        output.Append(CultureInfo.InvariantCulture, $"{Name}_sum {Interlocked.Read(ref _sumMicros) / 1_000_000.0}\n");
        output.Append(CultureInfo.InvariantCulture, $"{Name}_count {Interlocked.Read(ref _count)}\n");
    }
}
