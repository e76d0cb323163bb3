using Opskit.VarnishLog.Filters;
using Opskit.VarnishLog.Tests.Support;

namespace Opskit.VarnishLog.Tests.Filters;

/// <summary>Every filter of the original, and its negation, on the legacy fixture (vxids 1001-1006) and the Varnish 7 capture.</summary>
public sealed class RequestFilterTests
{
    private const string Legacy = "legacy-2.1.log";
    private static readonly long[] All = [1001, 1002, 1004, 1003, 1005, 1006];

    public static TheoryData<string, long[]> Variables => new()
    {
        { "client_match=^10\\.0\\.0\\.1$", [1001, 1003] },
        { "client_match=!^10\\.0\\.0\\.1$", [1002, 1004, 1005, 1006] },
        { "req_method=POST|HEAD", [1002, 1006] },
        { "req_method=!GET", [1002, 1006] },
        { "url_match=^/(index|news)", [1001, 1006] },
        { "url_match=!\\.(html|png)$", [1002, 1004, 1005, 1006] },
        { "only_status=^4", [1002, 1005] },
        { "only_status=!^200 OK$", [1002, 1004, 1005] },
        { "only_status=Forbidden", [1002] },
        { "only_hits=1", [1001] },
        { "only_hits=0", [1001, 1002, 1004, 1003, 1005, 1006] },
        { "only_misses=1", [1003] },
        { "only_slow=1", [1002] },
        { "only_slow=40", [1002, 1003] },
        { "req_headers_match=^Cookie:", [1002] },
        { "req_headers_match=!^Cookie:", [1001, 1004, 1003, 1005, 1006] },
        { "resp_headers_match=image/png", [1003] },
        { "resp_headers_match=!Content-Type", [1004, 1005, 1006] },
        { "show_req_headers=1", [1001, 1002, 1004, 1003, 1005, 1006] },
    };

    [Theory]
    [MemberData(nameof(Variables))]
    public void Awk_variable_selects_the_same_requests_as_the_original_would(string assignment, long[] expected)
    {
        var filters = AwkVariables.Apply(new FilterSettings(), [assignment]);
        Assert.Equal(expected, OutputRun.Vxids(Legacy, filters));
    }

    [Fact]
    public void Long_options_and_awk_variables_are_the_same_filters()
    {
        var byOptions = new FilterSettings { UrlMatch = "!png", ReqMethod = "POST|HEAD", OnlySlow = 1000 };
        var byVariables = AwkVariables.Apply(new FilterSettings(), ["url_match=!png", "req_method=POST|HEAD", "only_slow=1000"]);
        Assert.Equal(byOptions, byVariables);
        Assert.Equal([1002], OutputRun.Vxids(Legacy, byOptions));
    }

    [Fact]
    public void Filters_combine_with_and()
    {
        var filters = new FilterSettings { ClientMatch = "10.0.0.2", OnlyStatus = "404" };
        Assert.Equal([1005], OutputRun.Vxids(Legacy, filters));
    }

    [Fact]
    public void No_filter_shows_everything()
    {
        Assert.Equal(All, OutputRun.Vxids(Legacy, new FilterSettings()));
    }

    [Fact]
    public void Hit_and_miss_filters_use_the_label_rule_on_varnish_7_logs_too()
    {
        Assert.Equal([32770], OutputRun.Vxids("varnish-7.1-request.log", new FilterSettings { OnlyHits = true }));
        Assert.Equal([2], OutputRun.Vxids("varnish-7.1-raw.log", new FilterSettings { OnlyMisses = true }));
    }

    [Theory]
    [InlineData("url_match=(")]
    [InlineData("client_match=[")]
    [InlineData("req_headers_match=!(a")]
    [InlineData("only_status=(?<=x)y")]
    public void Invalid_regex_is_an_error_at_start(string assignment)
    {
        var filters = AwkVariables.Apply(new FilterSettings(), [assignment]);
        var error = Assert.Throws<FormatException>(() => new RequestFilter(filters));
        Assert.Contains(assignment.Split('=')[0], error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no_such=1")]
    [InlineData("only_hits=maybe")]
    [InlineData("only_slow=fast")]
    [InlineData("url_match")]
    public void Unknown_or_bad_variable_is_an_error(string assignment) =>
        Assert.Throws<FormatException>(() => AwkVariables.Apply(new FilterSettings(), [assignment]));

    [Fact]
    public void Catastrophic_pattern_runs_in_linear_time()
    {
        var filters = new FilterSettings { UrlMatch = "^(a+)+$" };
        var started = System.Diagnostics.Stopwatch.StartNew();
        var text = Support.VslText.Legacy(1, "ReqStart", "1.1.1.1 1 5") + Support.VslText.Legacy(1, "RxURL", new string('a', 5000) + "!")
            + Support.VslText.Legacy(1, "ReqEnd", "5 1 2 0 0 0");
        using var output = new MemoryStream();
        using var run = new VlogdumpRun(new VlogdumpSettings { Filters = filters }, output, TimeProvider.System);
        run.Feed(System.Text.Encoding.UTF8.GetBytes(text));
        run.Complete();
        Assert.Equal(1, run.Assembler.Counters.Requests);
        Assert.Equal(0, run.Summary.Requests);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }
}
