using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Opskit.VarnishLog;
using Opskit.VarnishLog.Output;

namespace Opskit.Benchmarks.VarnishLog;

/// <summary>
/// The whole vlogdump pipeline (split, parse, assemble, default text output into a null stream) over 1,000 legacy 2.1
/// requests of 12 lines from 16 interleaved sessions. The steady state should allocate nothing per line.
/// </summary>
[MemoryDiagnoser]
public class VarnishLogParseBenchmark
{
    private byte[] _legacy = [];
    private VlogdumpRun? _run;

    [GlobalSetup]
    public void Setup()
    {
        var s = new StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            var fd = 10 + (i % 16);
            var xid = 5000 + i;
            void Line(string tag, string data) => s.Append(CultureInfo.InvariantCulture, $"{fd,5} {tag,-12} c {data}\n");
            Line("ReqStart", $"10.0.0.{i % 250} 4000 {xid}");
            Line("RxRequest", "GET");
            Line("RxURL", $"/article/{i % 300}/index.html");
            Line("RxProtocol", "HTTP/1.1");
            Line("RxHeader", "Host: www.example.com");
            Line("RxHeader", "User-Agent: Mozilla/5.0");
            Line("VCL_call", "recv lookup");
            Line("Hit", "17");
            Line("VCL_call", "hit deliver");
            Line("TxStatus", "200");
            Line("TxResponse", "OK");
            Line("ReqEnd", $"{xid} 1700000000.100000000 1700000000.100500000 0.0001 0.0002 0.0003");
        }

        _legacy = Encoding.ASCII.GetBytes(s.ToString());
        _run = new VlogdumpRun(new VlogdumpSettings { Format = OutputFormat.Text }, Stream.Null, TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup() => _run?.Dispose();

    [Benchmark(Description = "1,000 legacy requests (12,000 lines) to text")]
    public long Legacy()
    {
        _run!.Feed(_legacy);
        return _run.Assembler.Counters.Requests;
    }
}
