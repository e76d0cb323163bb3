using System.Text;
using CsCheck;
using Opskit.VarnishLog.Parsing;
using Opskit.VarnishLog.Tests.Support;

namespace Opskit.VarnishLog.Tests.Parsing;

public sealed class SplitAndFuzzTests
{
    private static readonly string[] FixtureNames =
    [
        "legacy-2.1.log", "legacy-3.0.log", "varnish-7.1-request.log", "varnish-7.1-raw.log", "varnish-7.1-vxid.log",
    ];

    public static TheoryData<string> Fixtures => new(FixtureNames);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Same_requests_whatever_byte_the_input_is_split_at(string fixture)
    {
        // At most the first 6 kB (whole lines): the Varnish 7 captures hold the same record shapes over and over.
        var bytes = LogRun.Fixture(fixture);
        if (bytes.Length > 6000)
        {
            bytes = bytes.AsSpan(0, bytes.AsSpan(0, 6000).LastIndexOf((byte)'\n') + 1).ToArray();
        }

        var whole = Signature(LogRun.Of(bytes));
        Assert.NotEmpty(whole.Requests);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var run = new LogRun();
            run.Splitter.Feed(bytes.AsSpan(0, split));
            run.Splitter.Feed(bytes.AsSpan(split));
            run.Splitter.Complete();
            var parts = Signature(run);
            if (parts != whole)
            {
                Assert.Fail($"split at byte {split} of {fixture} changed the result:\n{parts}\nexpected:\n{whole}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Same_requests_when_fed_one_byte_at_a_time(string fixture)
    {
        var bytes = LogRun.Fixture(fixture);
        var run = new LogRun();
        for (var i = 0; i < bytes.Length; i++)
        {
            run.Splitter.Feed(bytes.AsSpan(i, 1));
        }

        run.Splitter.Complete();
        Assert.Equal(Signature(LogRun.Of(bytes)), Signature(run));
    }

    [Fact]
    public void Random_bytes_never_throw_and_leave_consistent_counters()
    {
        Gen.Byte.Array[0, 3000].Sample(bytes =>
        {
            var run = LogRun.Of(bytes, new AssemblerOptions { MaxPending = 8 });
            AssertConsistent(run, bytes);
        }, iter: 3000, threads: 1);
    }

    [Fact]
    public void Mutated_fixtures_fed_in_random_chunks_never_throw()
    {
        var sources = FixtureNames.Select(LogRun.Fixture).ToArray();
        var gen = Gen.Select(Gen.Int[0, sources.Length - 1], Gen.Int[0, 40].SelectMany(n => Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte).Array[n, n]), Gen.Int[1, 200]);
        gen.Sample((source, mutations, chunk) =>
        {
            var bytes = (byte[])sources[source].Clone();
            foreach (var (position, value) in mutations)
            {
                bytes[position % bytes.Length] = value;
            }

            var run = new LogRun(new AssemblerOptions { MaxPending = 4 });
            for (var i = 0; i < bytes.Length; i += chunk)
            {
                run.Splitter.Feed(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)));
            }

            run.Splitter.Complete();
            AssertConsistent(run, bytes);
        }, iter: 400, threads: 1);
    }

    [Fact]
    public void Random_varnishlog_like_lines_never_throw()
    {
        string[] tags = ["ReqStart", "RxURL", "RxHeader", "TxStatus", "ReqEnd", "VCL_call", "VCL_return", "Hit", "Begin", "End", "ReqURL", "RespStatus", "Timestamp", "ReqAcct", "Link", "HitMiss"];
        string[] data = ["", "req 1 rxreq", "1 2 3 4 5 6", "recv lookup", "PIPE", "Resp: x y z", "Host:", "999999999999999999999", "-1", "a:b", "1e400 nan inf"];
        var line = Gen.OneOf(
            Gen.Select(Gen.Int[0, 30], Gen.OneOf(tags), Gen.OneOf(data)).Select((fd, tag, d) => VslText.Legacy(fd, tag, d)),
            Gen.Select(Gen.Int[0, 30], Gen.OneOf(tags), Gen.OneOf(data)).Select((vxid, tag, d) => VslText.Raw(vxid, tag, d)),
            Gen.Select(Gen.Int[1, 4], Gen.OneOf(tags), Gen.OneOf(data)).Select((level, tag, d) => $"{new string('-', level)}   {tag} {d}\n"),
            Gen.Select(Gen.Int[1, 4], Gen.OneOf(["Request", "BeReq", "Session"]), Gen.Int[0, 30]).Select((level, kind, vxid) => $"{new string('*', level)}   << {kind} >> {vxid}\n"));
        line.Array[0, 200].Sample(lines =>
        {
            var bytes = Encoding.UTF8.GetBytes(string.Concat(lines));
            var run = LogRun.Of(bytes, new AssemblerOptions { MaxPending = 8 });
            AssertConsistent(run, bytes);
        }, iter: 1500, threads: 1);
    }

    private static void AssertConsistent(LogRun run, byte[] bytes)
    {
        var counters = run.Assembler.Counters;
        Assert.Equal(0, counters.Pending);
        Assert.InRange(counters.MalformedLines, 0, counters.Lines);
        Assert.InRange(counters.Lines, 0, bytes.Count(b => b == (byte)'\n') + 1);
        Assert.Equal(counters.Requests, run.Requests.Count);
        Assert.True(run.Assembler.RecordsCreated <= 9, $"{run.Assembler.RecordsCreated} records for a limit of 8");
    }

    private static (string Requests, long Malformed, long Incomplete) Signature(LogRun run) =>
        (string.Join('\n', run.Requests.Select(r => $"{r.Vxid} {r.Client} {r.Method} {r.Url} {r.Protocol} {r.Handling} {r.Status} {r.Reason} {r.TotalMs} {r.BodyBytes} {string.Join('|', r.RequestHeaders)} {string.Join('|', r.ResponseHeaders)}")),
         run.Assembler.Counters.MalformedLines, run.Assembler.Counters.Incomplete);
}
