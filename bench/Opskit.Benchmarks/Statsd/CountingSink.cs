using Opskit.Statsd.Protocol;

namespace Opskit.Benchmarks.Statsd;

/// <summary>A parser sink that only counts metrics (bad lines count down), so benchmarks time the parser alone.</summary>
internal struct CountingSink : IMetricSink
{
    public long Metrics;

    public void Counter(ReadOnlySpan<byte> key, double increment) => Metrics++;

    public void Timer(ReadOnlySpan<byte> key, double value, double countIncrement) => Metrics++;

    public void Gauge(ReadOnlySpan<byte> key, double value, bool signed) => Metrics++;

    public void SetMember(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member) => Metrics++;

    public void BadLine() => Metrics--;

    public void Extension(bool serviceCheck) => Metrics++;
}
