using Opskit.VarnishLog.Filters;
using Opskit.VarnishLog.Query;
using Opskit.VarnishLog.Tests.Support;

namespace Opskit.VarnishLog.Tests.Query;

/// <summary>The -q subset on the Varnish 7.1 capture: 2 miss /, 32770 hit /, 5 pass /pass (backend 404), 32772 synth 404, 8 pipe.</summary>
public sealed class VslQueryTests
{
    public static TheoryData<string, long[]> Queries => new()
    {
        { "RespStatus == 404", [5, 32772] },
        { "RespStatus != 200", [5, 32772] },
        { "RespStatus >= 200 and RespStatus < 300", [2, 32770] },
        { "not RespStatus", [8] },
        { "ReqURL ~ \"^/p\"", [5, 8] },
        { "ReqURL !~ ^/p", [2, 32770, 32772] },
        { "ReqURL eq /synth", [32772] },
        { "ReqURL ne '/'", [5, 32772, 8] },
        { "BerespStatus >= 400", [5] },
        { "ReqHeader:Referer eq \"http://x/\"", [2, 32770, 5, 32772, 8] },
        { "ReqHeader:referer ~ x", [2, 32770, 5, 32772, 8] },
        { "RespHeader:X-Varnish eq \"32770 3\"", [32770] },
        { "RespHeader:X-Varnish[2] == 3", [32770] },
        { "Timestamp:Resp[2] > 0.005", [5] },
        { "Timestamp:Resp[2] <= 0.0002", [32770, 32772] },
        { "VCL_call eq HIT or VCL_call eq SYNTH", [32770, 32772] },
        { "(RespStatus == 200) and not Hit", [2] },
        { "not (RespStatus == 200 or ReqURL eq /pipe)", [5, 32772] },
        { "ReqAcct[5] > 600", [2, 32770] },
        { "Hit", [32770] },
        { "Link[3] eq pipe", [8] },
        { "vxid == 5", [5] },
        { "vxid >= 32770", [32770, 32772] },
        { "vxid != 2 and vxid < 10", [5, 8] },
        { "RespStatus,BerespStatus == 404", [5, 32772] },
        { "ReqURL,BereqURL eq /pass", [5] },
        { "Beresp* == 404", [5] },
        { "*Status == 200", [2, 32770] },
        { "* eq /pipe", [8] },
        { "respstatus == 418 or requrl eq /synth", [32772] },
        { "{2}BerespStatus >= 400", [5] },
        { "{1}BerespStatus", [] },
        { "{2+}Timestamp:Beresp", [2, 5] },
        { "{1-}Timestamp:Beresp", [] },
        { "{0-}ReqURL", [] },
        { "{1}ReqURL eq /", [2, 32770] },
        { "RespStatus == 404 # errors\n\n# and the hits\nHit", [32770, 5, 32772] },
        { "RespStatus \\\n  == 404", [5, 32772] },
        { "ReqURL eq '/#not-a-comment' or Hit", [32770] },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void Query_selects_the_requests_it_describes(string query, long[] expected) =>
        Assert.Equal(expected, OutputRun.Vxids("varnish-7.1-request.log", new FilterSettings { Query = query }));

    [Fact]
    public void Query_works_on_raw_logs_for_the_request_records()
    {
        Assert.Equal([32770], OutputRun.Vxids("varnish-7.1-raw.log", new FilterSettings { Query = "Hit and ReqURL eq /" }));
    }

    [Fact]
    public void An_error_in_a_query_of_several_lines_names_the_line()
    {
        var error = Assert.Throws<FormatException>(() => VslQuery.Parse("ReqURL eq /\n# second query\nRespStatus =="));
        Assert.StartsWith("query line 3: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_works_on_legacy_tags()
    {
        Assert.Equal([1002], OutputRun.Vxids("legacy-2.1.log", new FilterSettings { Query = "TxStatus == 403 or RxHeader:Cookie" }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("RespStatus ==")]
    [InlineData("(RespStatus == 200")]
    [InlineData("RespStatus == 200)")]
    [InlineData("RespStatus == abc")]
    [InlineData("ReqURL ~ \"(\"")]
    [InlineData("ReqURL ~ \"unterminated")]
    [InlineData("Req-URL eq x")]
    [InlineData("ReqHeader: eq x")]
    [InlineData("ReqURL[0] eq x")]
    [InlineData("ReqURL = x")]
    [InlineData("and")]
    [InlineData("vxid")]
    [InlineData("vxid ~ 5")]
    [InlineData("vxid == 5.5")]
    [InlineData("{x}ReqURL")]
    [InlineData("{1ReqURL eq x")]
    [InlineData("Req**")]
    [InlineData("ReqURL,")]
    [InlineData("# only a comment")]
    public void Invalid_query_is_a_format_error(string query) =>
        Assert.Throws<FormatException>(() => VslQuery.Parse(query));
}
