using System.Text.Json;
using Opskit.VarnishLog.Filters;
using Opskit.VarnishLog.Output;
using Opskit.VarnishLog.Tests.Support;

namespace Opskit.VarnishLog.Tests.Output;

public sealed class OutputFormatTests
{
    /// <summary>
    /// The original script's output for legacy-2.1.log under mawk and gawk, colours removed, except the labels of
    /// the pass, pipe and synth requests (the original calls everything that is not its kind of hit a MISS).
    /// </summary>
    private const string LegacyText =
        "       10.0.0.1 => GET /index.html HTTP/1.1 HIT\n" +
        "                <= 200 OK                                                           0.512 ms\n" +
        "       10.0.0.2 => POST /api/login HTTP/1.0 PASS\n" +
        "                <= 403 Forbidden                                               1250 ms\n" +
        "       10.0.0.3 => GET /admin/ws HTTP/1.1 PIPE\n" +
        "                <=                                                             5000 ms\n" +
        "       10.0.0.1 => GET /img/logo.png HTTP/1.1 MISS\n" +
        "                <= 200 OK                                                          45.000 ms\n" +
        "       10.0.0.2 => GET /missing HTTP/1.1 SYNTH\n" +
        "                <= 404 Not Found                                               0 ms\n" +
        "       10.0.0.4 => HEAD /news HTTP/1.1 PASS\n" +
        "                <= 200 OK                                                           2.500 ms\n";

    [Theory]
    [InlineData("legacy-2.1.log")]
    [InlineData("legacy-3.0.log")]
    public void Default_output_is_the_original_two_lines(string fixture)
    {
        var (text, _) = OutputRun.Of(fixture, new VlogdumpSettings());
        Assert.Equal(LegacyText, text);
    }

    [Fact]
    public void Colours_are_the_original_green_and_red()
    {
        var (text, _) = OutputRun.Of("legacy-2.1.log", new VlogdumpSettings { Colour = true });
        var lines = text.Split('\n');
        Assert.Equal("       10.0.0.1 => GET /index.html HTTP/1.1 \e[1;32mHIT\e[0m", lines[0]);
        Assert.Equal("                <= " + "200 OK".PadRight(59) + " \e[1;32m     0.512\e[0m ms", lines[1]);
        Assert.Equal("                <= " + "403 Forbidden".PadRight(59) + " \e[1;31m1250\e[0m ms", lines[3]);
        Assert.EndsWith("PASS\e[0m", lines[2], StringComparison.Ordinal);
        Assert.Equal(LegacyText, System.Text.RegularExpressions.Regex.Replace(text, "\e\\[[0-9;]*m", string.Empty));
    }

    [Fact]
    public void Headers_are_shown_as_req_http_and_resp_http_lines_followed_by_a_blank_line()
    {
        var settings = new VlogdumpSettings { Filters = new FilterSettings { ShowRequestHeaders = true, ShowResponseHeaders = true, UrlMatch = "index" } };
        var (text, _) = OutputRun.Of("legacy-2.1.log", settings);
        Assert.Equal(
            string.Join('\n', LegacyText.Split('\n').Take(2)) + "\n" +
            "        req.http.Host = www.example.com\n" +
            "        req.http.User-Agent = Mozilla/5.0\n" +
            "\n" +
            "        resp.http.Content-Type = text/html\n" +
            "        resp.http.X-Cache = HIT\n" +
            "\n",
            text);
    }

    [Fact]
    public void Json_has_one_object_per_request_with_the_documented_fields()
    {
        var settings = new VlogdumpSettings { Format = OutputFormat.Json, Filters = new FilterSettings { ShowRequestHeaders = true } };
        var (text, _) = OutputRun.Of("varnish-7.1-request.log", settings);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        using var miss = JsonDocument.Parse(lines[0]);
        var root = miss.RootElement;
        Assert.Equal(2, root.GetProperty("vxid").GetInt64());
        Assert.Equal("127.0.0.1", root.GetProperty("client").GetString());
        Assert.Equal("GET", root.GetProperty("method").GetString());
        Assert.Equal("/", root.GetProperty("url").GetString());
        Assert.Equal("HTTP/1.1", root.GetProperty("protocol").GetString());
        Assert.Equal("miss", root.GetProperty("handling").GetString());
        Assert.Equal(200, root.GetProperty("status").GetInt32());
        Assert.Equal("OK", root.GetProperty("reason").GetString());
        Assert.Equal(2.447, root.GetProperty("time_ms").GetDouble());
        Assert.Contains("User-Agent: curl/7.88.1", root.GetProperty("req_headers").EnumerateArray().Select(e => e.GetString()));
        var handlings = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("handling").GetString() ?? "null").ToArray();
        Assert.Equal(["miss", "hit", "pass", "synth", "pipe"], handlings);
        using var pipe = JsonDocument.Parse(lines[4]);
        Assert.Equal(JsonValueKind.Null, pipe.RootElement.GetProperty("status").ValueKind);
    }

    [Theory]
    [InlineData("varnish-7.1-request.log")]
    [InlineData("varnish-7.1-raw.log")]
    [InlineData("varnish-7.1-vxid.log")]
    public void Ncsa_lines_equal_what_varnishncsa_wrote_for_the_same_log(string fixture)
    {
        // varnishncsa -r of the binary log captured with these text logs, TZ=UTC.
        string[] varnishncsa =
        [
            "127.0.0.1 - - [07/Dec/2026:21:10:28 +0000] \"GET http://127.0.0.1:18932/ HTTP/1.1\" 200 645 \"http://x/\" \"curl/7.88.1\"",
            "127.0.0.1 - - [07/Dec/2026:21:10:28 +0000] \"GET http://127.0.0.1:18932/ HTTP/1.1\" 200 645 \"http://x/\" \"curl/7.88.1\"",
            "127.0.0.1 - - [07/Dec/2026:21:10:28 +0000] \"GET http://127.0.0.1:18932/pass HTTP/1.1\" 404 335 \"http://x/\" \"curl/7.88.1\"",
            "127.0.0.1 - - [07/Dec/2026:21:10:28 +0000] \"GET http://127.0.0.1:18932/synth HTTP/1.1\" 404 249 \"http://x/\" \"curl/7.88.1\"",
            "127.0.0.1 - - [07/Dec/2026:21:10:28 +0000] \"GET http://127.0.0.1:18932/pipe HTTP/1.1\" - - \"http://x/\" \"curl/7.88.1\"",
        ];
        var (text, _) = OutputRun.Of(fixture, new VlogdumpSettings { Format = OutputFormat.Ncsa });
        Assert.Equal(varnishncsa.Order(StringComparer.Ordinal), text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Tsv_has_a_header_row_and_one_row_per_request()
    {
        var (text, _) = OutputRun.Of("legacy-2.1.log", new VlogdumpSettings { Format = OutputFormat.Tsv });
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(TsvEntryWriter.Columns, rows[0]);
        Assert.Equal(7, rows.Length);
        Assert.Equal("1002\t10.0.0.2\tPOST\t/api/login\tHTTP/1.0\tpass\t403\tForbidden\t1250.000\t17", rows[2]);
        Assert.Equal("1004\t10.0.0.3\tGET\t/admin/ws\tHTTP/1.1\tpipe\t\t\t5000.000\t", rows[3]);
    }

    [Fact]
    public void Summary_counts_requests_handlings_statuses_incomplete_and_top_urls()
    {
        var (_, run) = OutputRun.Of("legacy-2.1.log", new VlogdumpSettings());
        var text = run.SummaryText(json: false);
        Assert.Contains("6 requests shown, 6 read from 125 lines (legacy 2.1/3.0), 2 malformed lines skipped", text, StringComparison.Ordinal);
        Assert.Contains("hit ratio: 16.7% (hit 1, miss 1, pass 1, pipe 1, synth 1, hitpass 1)", text, StringComparison.Ordinal);
        Assert.Contains("status: 200 3, 403 1, 404 1, none 1", text, StringComparison.Ordinal);
        Assert.Contains("incomplete: 1 (0 over the pending limit, 0 over the pending timeout, 1 cut off)", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(run.SummaryText(json: true));
        Assert.Equal(6, json.RootElement.GetProperty("requests").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("handling").GetProperty("hitpass").GetInt64());
        Assert.Equal(6, json.RootElement.GetProperty("top_urls").GetArrayLength());
        var p99 = json.RootElement.GetProperty("p99_ms").GetDouble();
        Assert.InRange(p99, 4900, 5100);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1250.0, "1250")]
    [InlineData(0.512, "     0.512")]
    [InlineData(45.0000001, "    45.000")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(double.NaN, "-")]
    public void Times_print_as_awk_prints_them_with_convfmt_10_3f(double value, string expected)
    {
        var buffer = new byte[32];
        var length = AwkNumber.Format(value, buffer);
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(buffer, 0, length));
    }

    [Fact]
    public void The_integer_fast_path_for_times_gives_the_digits_of_the_exact_formatter()
    {
        var random = new Random(14);
        var fast = new byte[32];
        var exact = new byte[32];
        var compared = 0;
        for (var i = 0; i < 200_000; i++)
        {
            // Times as logs give them (differences of epoch seconds, times 1000), short decimals, and ties.
            var value = (i % 4) switch
            {
                0 => (1_700_000_000.0 + (random.Next(0, 1_000_000_000) / 1e9) - 1_700_000_000.0) * 1000,
                1 => random.NextDouble() * Math.Pow(10, random.Next(-4, 7)),
                2 => random.Next(0, 10_000_000) / 1000.0,
                _ => (random.Next(0, 2_000_000) + 0.5) / 1000.0,
            };
            var length = AwkNumber.FastFixed3(value, fast);
            if (length == 0)
            {
                continue;
            }

            Assert.NotEqual(3, i % 4);

            Assert.True(System.Buffers.Text.Utf8Formatter.TryFormat(value, exact, out var exactLength, new System.Buffers.StandardFormat('F', 3)));
            Assert.Equal(System.Text.Encoding.ASCII.GetString(exact, 0, exactLength), System.Text.Encoding.ASCII.GetString(fast, 0, length));
            compared++;
        }

        // Three cases in four take the fast path; the fourth (halfway values) is left to the exact formatter.
        Assert.True(compared > 140_000, $"only {compared} values took the fast path");
    }

    [Fact]
    public void Latency_percentiles_are_within_two_percent()
    {
        var histogram = new LatencyHistogram();
        for (var i = 1; i <= 10_000; i++)
        {
            histogram.Add(i / 10.0);
        }

        Assert.InRange(histogram.Percentile(0.50), 500 * 0.98, 500 * 1.02);
        Assert.InRange(histogram.Percentile(0.99), 990 * 0.98, 990 * 1.02);
    }
}
