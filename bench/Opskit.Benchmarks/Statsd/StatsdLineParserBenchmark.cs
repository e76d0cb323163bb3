using BenchmarkDotNet.Attributes;
using Opskit.Statsd.Protocol;

namespace Opskit.Benchmarks.Statsd;

/// <summary>The line parser alone (a sink that only counts): ns per packet of 10 lines, bytes allocated.</summary>
[MemoryDiagnoser]
public class StatsdLineParserBenchmark
{
    private byte[][] _packets = [];
    private readonly StatsdLineParser _parser = new();

    [GlobalSetup]
    public void Setup() => _packets = StatsdWorkload.Packets(4096);

    /// <summary>Parses 4096 packets (40,960 lines) per invocation.</summary>
    [Benchmark(OperationsPerInvoke = 4096 * StatsdWorkload.LinesPerPacket)]
    public long ParseLines()
    {
        var sink = new CountingSink();
        foreach (var packet in _packets)
        {
            _parser.ParsePacket(packet, ref sink);
        }

        return sink.Metrics;
    }
}
