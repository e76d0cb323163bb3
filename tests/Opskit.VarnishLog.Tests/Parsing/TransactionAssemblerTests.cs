using System.Text;
using Microsoft.Extensions.Time.Testing;
using Opskit.VarnishLog.Parsing;
using Opskit.VarnishLog.Tests.Support;

namespace Opskit.VarnishLog.Tests.Parsing;

public sealed class TransactionAssemblerTests
{
    /// <summary>What the hand-written legacy fixtures hold: six interleaved requests, one garbled and one truncated line, one request without ReqEnd.</summary>
    private static readonly (long Vxid, string Client, string Method, string Url, Handling Handling, int Status, string Reason, double Ms)[] LegacyExpected =
    [
        (1001, "10.0.0.1", "GET", "/index.html", Handling.Hit, 200, "OK", 0.512),
        (1002, "10.0.0.2", "POST", "/api/login", Handling.Pass, 403, "Forbidden", 1250),
        (1004, "10.0.0.3", "GET", "/admin/ws", Handling.Pipe, -1, "", 5000),
        (1003, "10.0.0.1", "GET", "/img/logo.png", Handling.Miss, 200, "OK", 45),
        (1005, "10.0.0.2", "GET", "/missing", Handling.Synth, 404, "Not Found", 0),
        (1006, "10.0.0.4", "HEAD", "/news", Handling.HitPass, 200, "OK", 2.5),
    ];

    [Theory]
    [InlineData("legacy-2.1.log")]
    [InlineData("legacy-3.0.log")]
    public void Legacy_fixture_gives_one_request_per_ReqEnd_with_the_ncsa_handling(string fixture)
    {
        var run = LogRun.Of(LogRun.Fixture(fixture));
        Assert.Equal(LogFormat.Legacy, run.Assembler.Format);
        Assert.Equal(LegacyExpected.Length, run.Requests.Count);
        for (var i = 0; i < LegacyExpected.Length; i++)
        {
            var (vxid, client, method, url, handling, status, reason, ms) = LegacyExpected[i];
            var r = run.Requests[i];
            Assert.Equal(vxid, r.Vxid);
            Assert.Equal(client, r.Client);
            Assert.Equal(method, r.Method);
            Assert.Equal(url, r.Url);
            Assert.Equal(handling, r.Handling);
            Assert.Equal(status, r.Status);
            Assert.Equal(reason, r.Reason);
            Assert.InRange(r.TotalMs, ms - 0.001, ms + 0.001);
        }

        Assert.Equal(2, run.Assembler.Counters.MalformedLines);
        Assert.Equal(1, run.Assembler.Counters.Truncated);
        Assert.Equal(0, run.Assembler.Counters.Pending);
        Assert.Equal(["Host: www.example.com", "User-Agent: Mozilla/5.0"], run.Requests[0].RequestHeaders);
        Assert.Equal(["Content-Type: text/html", "X-Cache: HIT"], run.Requests[0].ResponseHeaders);
        Assert.Equal(5120, run.Requests[0].BodyBytes);
        Assert.Equal(1200, run.Requests[1].ProcessMs, 6);
    }

    [Fact]
    public void Legacy_2_1_and_3_0_fixtures_give_the_same_requests()
    {
        var v21 = LogRun.Of(LogRun.Fixture("legacy-2.1.log")).Requests;
        var v30 = LogRun.Of(LogRun.Fixture("legacy-3.0.log")).Requests;
        Assert.Equal(v21.Count, v30.Count);
        for (var i = 0; i < v21.Count; i++)
        {
            Assert.Equal(Describe(v21[i]), Describe(v30[i]));
        }
    }

    [Theory]
    [InlineData("varnish-7.1-request.log", LogFormat.Grouped)]
    [InlineData("varnish-7.1-vxid.log", LogFormat.Grouped)]
    [InlineData("varnish-7.1-raw.log", LogFormat.Raw)]
    public void Varnish_7_capture_gives_hit_miss_pass_synth_and_pipe_in_every_grouping(string fixture, LogFormat format)
    {
        var run = LogRun.Of(LogRun.Fixture(fixture));
        Assert.Equal(format, run.Assembler.Format);
        var byUrl = run.Requests.Select(r => (r.Vxid, r.Url, r.Handling, r.Status)).OrderBy(r => r.Vxid).ToList();
        Assert.Equal(
            [(2L, "/", Handling.Miss, 200), (5L, "/pass", Handling.Pass, 404), (8L, "/pipe", Handling.Pipe, -1), (32770L, "/", Handling.Hit, 200), (32772L, "/synth", Handling.Synth, 404)],
            byUrl);
        Assert.Equal(0, run.Assembler.Counters.MalformedLines);
        Assert.Equal(0, run.Assembler.Counters.Incomplete);
        var miss = run.Requests.Single(r => r.Vxid == 2);
        Assert.Equal("127.0.0.1", miss.Client);
        Assert.Equal(2.447, miss.TotalMs, 6);
        Assert.Equal(2.405, miss.ProcessMs, 6);
        Assert.Equal(645, miss.BodyBytes);
        Assert.Equal(1796677828.046149, miss.StartTime, 6);
        Assert.Contains("Referer: http://x/", miss.RequestHeaders);
        Assert.Contains("Connection: keep-alive", miss.ResponseHeaders);
        Assert.Equal(2.648, run.Requests.Single(r => r.Vxid == 8).TotalMs, 6);
    }

    [Theory]
    [InlineData("hit", Handling.Hit)]
    [InlineData("miss", Handling.Miss)]
    [InlineData("hitmiss", Handling.HitMiss)]
    [InlineData("pass", Handling.Pass)]
    [InlineData("hitpass", Handling.HitPass)]
    [InlineData("pipe", Handling.Pipe)]
    [InlineData("synth", Handling.Synth)]
    public void Handling_rule_is_the_same_in_grouped_and_raw_logs(string scenario, Handling expected)
    {
        var records = VslText.ModernRequest(7, "/x", scenario);
        var grouped = LogRun.Of(VslText.Group(1, "Request", 7, records));
        var raw = LogRun.Of(string.Concat(records.Select(r => VslText.Raw(7, r.Tag, r.Data))));
        Assert.Equal(expected, Assert.Single(grouped.Requests).Handling);
        Assert.Equal(expected, Assert.Single(raw.Requests).Handling);
    }

    [Theory]
    [InlineData("lookup", "hit:deliver", Handling.Hit)]
    [InlineData("lookup", "miss:fetch", Handling.Miss)]
    [InlineData("pass", "pass:pass", Handling.Pass)]
    [InlineData("pipe", "pipe:pipe", Handling.Pipe)]
    [InlineData("error", "error:deliver", Handling.Synth)]
    [InlineData("lookup", "HitPass,pass:pass", Handling.HitPass)]
    public void Handling_rule_is_the_same_in_legacy_2_1_and_3_0(string recvReturn, string then, Handling expected)
    {
        foreach (var merged in new[] { false, true })
        {
            var s = new StringBuilder();
            s.Append(VslText.Legacy(9, "ReqStart", "10.1.1.1 1234 77"));
            s.Append(VslText.Legacy(9, "RxURL", "/x"));
            Call(s, merged, "recv", recvReturn);
            foreach (var step in then.Split(','))
            {
                if (step == "HitPass")
                {
                    s.Append(VslText.Legacy(9, "HitPass", "70"));
                    continue;
                }

                if (step.StartsWith("hit:", StringComparison.Ordinal))
                {
                    s.Append(VslText.Legacy(9, "Hit", "70"));
                }

                var parts = step.Split(':');
                Call(s, merged, parts[0], parts[1]);
            }

            s.Append(VslText.Legacy(9, "ReqEnd", "77 1.0 1.5 0 0.4 0.1"));
            var request = Assert.Single(LogRun.Of(s.ToString()).Requests);
            Assert.Equal(expected, request.Handling);
        }

        static void Call(StringBuilder s, bool merged, string method, string returned)
        {
            if (merged)
            {
                s.Append(VslText.Legacy(9, "VCL_call", method + " " + returned));
            }
            else
            {
                s.Append(VslText.Legacy(9, "VCL_call", method));
                s.Append(VslText.Legacy(9, "VCL_return", returned));
            }
        }
    }

    [Fact]
    public void Restart_reports_the_restarted_request_only_and_esi_subrequests_are_not_reported()
    {
        var first = VslText.ModernRequest(10, "/old", "miss").Where(r => r.Tag != "End").Append(("VCL_return", "restart")).Append(("End", string.Empty)).ToArray();
        var restarted = VslText.ModernRequest(11, "/new", "hit");
        restarted[0] = ("Begin", "req 10 restart");
        var esi = VslText.ModernRequest(12, "/esi", "miss");
        esi[0] = ("Begin", "req 11 esi");
        var run = LogRun.Of(VslText.Group(1, "Request", 10, first) + VslText.Group(2, "Request", 11, restarted) + VslText.Group(3, "Request", 12, esi));
        var request = Assert.Single(run.Requests);
        Assert.Equal("/new", request.Url);
        Assert.Equal(2, run.Assembler.Counters.Skipped);
    }

    [Fact]
    public void First_request_line_and_last_response_status_are_kept_and_unset_headers_are_removed()
    {
        var records = new (string, string)[]
        {
            ("Begin", "req 1 rxreq"), ("ReqStart", "198.51.100.7 1 a0"), ("ReqMethod", "GET"), ("ReqURL", "/Original?x=1"),
            ("ReqProtocol", "HTTP/1.1"), ("ReqHeader", "Cookie: a=b"), ("ReqHeader", "X-Forwarded-For: 203.0.113.9, 10.0.0.1"), ("VCL_call", "RECV"),
            ("ReqURL", "/rewritten"), ("ReqUnset", "Cookie: a=b"), ("VCL_return", "hash"), ("VCL_call", "MISS"),
            ("RespStatus", "200"), ("RespReason", "OK"), ("RespHeader", "Set-Cookie: s=1"), ("RespUnset", "Set-Cookie: s=1"),
            ("RespStatus", "304"), ("RespReason", "Not Modified"), ("End", ""),
        };
        var run = LogRun.Of(VslText.Group(1, "Request", 4, records), new AssemblerOptions { ClientIpHeader = "x-forwarded-for"u8.ToArray() });
        var r = Assert.Single(run.Requests);
        Assert.Equal("/Original?x=1", r.Url);
        Assert.Equal(304, r.Status);
        Assert.Equal("Not Modified", r.Reason);
        Assert.Equal(["X-Forwarded-For: 203.0.113.9, 10.0.0.1"], r.RequestHeaders);
        Assert.Empty(r.ResponseHeaders);
        Assert.Equal("203.0.113.9", r.Client);
        Assert.Equal("198.51.100.7", r.RemoteIp);
    }

    [Fact]
    public void Open_requests_beyond_the_limit_are_evicted_oldest_first_and_counted()
    {
        var s = new StringBuilder();
        for (var vxid = 1; vxid <= 5; vxid++)
        {
            s.Append(VslText.Raw(vxid, "Begin", "req 0 rxreq"));
            s.Append(VslText.Raw(vxid, "ReqURL", "/" + vxid));
        }

        // The two newest can still finish; the three oldest were dropped.
        s.Append(VslText.Raw(1, "End", string.Empty));
        s.Append(VslText.Raw(5, "End", string.Empty));
        var run = LogRun.Of(s.ToString(), new AssemblerOptions { MaxPending = 2 });
        Assert.Equal(["/5"], run.Requests.Select(r => r.Url));
        Assert.Equal(3, run.Assembler.Counters.EvictedByCount);
        Assert.Equal(1, run.Assembler.Counters.Truncated);
        Assert.True(run.Assembler.RecordsCreated <= 3);
    }

    [Fact]
    public void Open_requests_older_than_the_timeout_are_evicted_and_counted()
    {
        var time = new FakeTimeProvider();
        var run = new LogRun(new AssemblerOptions { PendingTimeout = TimeSpan.FromSeconds(30) }, time);
        run.Splitter.Feed(Encoding.UTF8.GetBytes(VslText.Legacy(3, "ReqStart", "10.0.0.1 1 50") + VslText.Legacy(3, "RxURL", "/slow")));
        time.Advance(TimeSpan.FromSeconds(10));
        run.Assembler.ExpireOld();
        Assert.Equal(1, run.Assembler.Counters.Pending);
        time.Advance(TimeSpan.FromSeconds(25));
        run.Assembler.ExpireOld();
        Assert.Equal(0, run.Assembler.Counters.Pending);
        Assert.Equal(1, run.Assembler.Counters.EvictedByAge);
        run.Splitter.Feed(Encoding.UTF8.GetBytes(VslText.Legacy(3, "ReqEnd", "50 1 2 0 0 0")));
        run.Splitter.Complete();
        Assert.Empty(run.Requests);
    }

    [Fact]
    public void A_new_request_on_the_same_session_cuts_off_the_unfinished_one()
    {
        var text = VslText.Legacy(3, "ReqStart", "10.0.0.1 1 50") + VslText.Legacy(3, "RxURL", "/lost")
            + VslText.Legacy(3, "ReqStart", "10.0.0.1 1 51") + VslText.Legacy(3, "RxURL", "/kept") + VslText.Legacy(3, "ReqEnd", "51 1 2 0 0 0");
        var run = LogRun.Of(text);
        Assert.Equal(["/kept"], run.Requests.Select(r => r.Url));
        Assert.Equal(1, run.Assembler.Counters.Truncated);
    }

    private static string Describe(RequestEntry r) =>
        $"{r.Vxid} {r.Client} {r.Method} {r.Url} {r.Protocol} {r.Handling} {r.Status} {r.Reason} {r.TotalMs} {r.ProcessMs} {r.BodyBytes} {string.Join('|', r.RequestHeaders)} {string.Join('|', r.ResponseHeaders)}";
}
