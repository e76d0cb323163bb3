using BenchmarkDotNet.Attributes;
using Opskit.Statsd.Aggregation;

namespace Opskit.Benchmarks.Statsd;

/// <summary>
/// Sorting one busy timer's values at a flush (Etsy's percentiles need them sorted): the runtime's introsort
/// against the flush's radix sort, on integer millisecond timings and on two-decimal ones.
/// </summary>
[MemoryDiagnoser]
public class TimerSortBenchmark
{
    private double[] _source = [];
    private double[] _work = [];

    [Params(1000, 5000, 50_000)]
    public int Values { get; set; }

    [Params(false, true)]
    public bool Decimals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _source = new double[Values];
        for (var i = 0; i < _source.Length; i++)
        {
            _source[i] = Decimals ? random.Next(0, 500_000) / 100.0 : random.Next(0, 5000);
        }

        _work = new double[Values];
    }

    [Benchmark(Baseline = true)]
    public double IntroSort()
    {
        _source.CopyTo(_work, 0);
        Array.Sort(_work);
        return _work[0];
    }

    [Benchmark]
    public double RadixSort()
    {
        _source.CopyTo(_work, 0);
        DoubleSort.Sort(_work);
        return _work[0];
    }
}
