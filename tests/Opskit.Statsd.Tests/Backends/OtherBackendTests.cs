using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Opskit.Statsd.Tests.Support;
using Opskit.Testing;
using Opskit.Testing.Graphite;

namespace Opskit.Statsd.Tests.Backends;

public sealed class OtherBackendTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task File_backend_appends_one_line_per_metric()
    {
        using var dir = new TempDirectory();
        var path = dir.File("metrics.log");
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject
        {
            ["backends"] = new JsonArray("file"),
            ["file"] = new JsonObject { ["name"] = path },
        });
        await statsd.SendAsync("c1:2.7|c\nt1:5|ms\nt1:7|ms\ng1:1.5|g\ns1:a|s\ns1:b|s");
        await statsd.Server.FlushNowAsync(Ct);
        await Eventually.AssertAsync(() => File.Exists(path) && File.ReadAllText(path).Contains("s\ts1", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the file flush");
        var lines = await File.ReadAllLinesAsync(path, Ct);
        Assert.Contains("c\tc1\t2", lines);
        Assert.Contains("t\tt1\t5.000000", lines);
        Assert.Contains("t\tt1\t7.000000", lines);
        Assert.Contains("g\tg1\t1.500000", lines);
        Assert.Contains("s\ts1\ta;b", lines);
        Assert.DoesNotContain(lines, l => l.Contains("statsd.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Repeater_forwards_every_packet_over_udp()
    {
        using var target = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var targetPort = ((IPEndPoint)target.Client.LocalEndPoint!).Port;
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject
        {
            ["backends"] = new JsonArray("./backends/repeater"),
            ["repeater"] = new JsonArray(new JsonObject { ["host"] = "127.0.0.1", ["port"] = targetPort }),
        });
        await statsd.SendAsync("rep.a:1|c\nrep.b:2|ms");
        var received = await target.ReceiveAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal("rep.a:1|c\nrep.b:2|ms", Encoding.UTF8.GetString(received.Buffer));
    }

    [Fact]
    public async Task Repeater_over_tcp_adds_a_newline_per_packet()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            await using var statsd = await RunningStatsd.StartAsync(new JsonObject
            {
                ["backends"] = new JsonArray("repeater"),
                ["repeaterProtocol"] = "tcp",
                ["repeater"] = new JsonArray(new JsonObject { ["host"] = "127.0.0.1", ["port"] = ((IPEndPoint)listener.LocalEndpoint).Port }),
            });
            await statsd.SendAsync("rep.tcp:1|c");
            await statsd.SendAsync("rep.tcp:2|c");
            using var client = await listener.AcceptTcpClientAsync(Ct);
            using var reader = new StreamReader(client.GetStream());
            Assert.Equal("rep.tcp:1|c", await reader.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct));
            Assert.Equal("rep.tcp:2|c", await reader.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Prometheus_serves_flushed_values_over_http()
    {
        var port = FreePort.Tcp();
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject
        {
            ["backends"] = new JsonArray("prometheus"),
            ["prometheus"] = new JsonObject { ["port"] = port },
            ["percentThreshold"] = new JsonArray(90, 50),
        });
        Assert.Equal($"http://127.0.0.1:{port}/metrics", statsd.Server.PrometheusUrl);
        await statsd.SendAsync("web.hits:3|c|#env:prod\nweb.time:10|ms\nweb.time:20|ms\nweb.load:0.5|g\nweb.users:u1|s");
        await statsd.Server.FlushNowAsync(Ct);
        await statsd.SendAsync("web.hits:4|c|#env:prod\nweb.time:30|ms");
        await statsd.Server.FlushNowAsync(Ct);
        using var http = new HttpClient();
        string body = string.Empty;
        await Eventually.AssertAsync(
            () =>
            {
                body = http.GetStringAsync(statsd.Server.PrometheusUrl, Ct).GetAwaiter().GetResult();
                return body.Contains("web_hits_total{env=\"prod\"} 7", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(10),
            "the counter total");
        Assert.Contains("# TYPE web_time summary\n", body, StringComparison.Ordinal);
        Assert.Contains("web_time{quantile=\"0.5\"} 30\n", body, StringComparison.Ordinal);
        Assert.Contains("web_time{quantile=\"0.9\"} 30\n", body, StringComparison.Ordinal);
        Assert.Contains("web_time_sum 60\n", body, StringComparison.Ordinal);
        Assert.Contains("web_time_count 3\n", body, StringComparison.Ordinal);
        Assert.Contains("web_load 0.5\n", body, StringComparison.Ordinal);
        Assert.Contains("web_users_unique 0\n", body, StringComparison.Ordinal);
        Assert.Contains("statsd_packets_received_total 2\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_backend_prints_Etsy_flush_output()
    {
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject { ["backends"] = new JsonArray("console") });
        await statsd.SendAsync("con.a:1|c");
        await statsd.Server.FlushNowAsync(Ct);
        await Eventually.AssertAsync(() => statsd.Console.ToString().Contains("'con.a': 1", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "console output");
        var text = statsd.Console.ToString();
        Assert.StartsWith("Flushing stats at  ", text, StringComparison.Ordinal);
        Assert.Contains("pctThreshold: [ 90 ]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_backend_does_not_hold_up_the_others()
    {
        using var dir = new TempDirectory();
        await using var graphite = new FakeGraphite();
        var config = RunningStatsd.GraphiteConfig(graphite);
        config["backends"] = new JsonArray("file", "graphite");
        config["file"] = new JsonObject { ["name"] = Path.Combine(dir.Path, "missing-dir", "x.log") };
        await using var statsd = await RunningStatsd.StartAsync(config);
        await statsd.SendAsync("iso.a:1|c");
        await statsd.Server.FlushNowAsync(Ct);
        await graphite.WaitForLineAsync("stats.counters.iso.a.count 1");
        var file = statsd.Server.Scheduler.Runners.Single(r => r.Backend.Name == "file");
        await Eventually.AssertAsync(() => file.Failures == 1, TimeSpan.FromSeconds(10), "the file backend failure to be counted");
    }

    [Fact]
    public async Task Stats_before_the_first_flush_shows_last_flush_as_time_since_start_as_Etsy_does()
    {
        // Etsy's backends start with last_flush = startup time, so `stats` shows the uptime, not seconds since 1970.
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject
        {
            ["backends"] = new JsonArray("prometheus", "file"),
            ["prometheus"] = new JsonObject { ["port"] = FreePort.Tcp() },
            ["file"] = new JsonObject { ["name"] = Path.Combine(Path.GetTempPath(), $"opskit-statsd-{Guid.NewGuid():N}.log") },
        });
        var stats = await statsd.ManageAsync("stats");
        var uptime = StatValue(stats, "uptime");
        Assert.InRange(StatValue(stats, "prometheus.last_flush"), 0, uptime + 1);
        Assert.InRange(StatValue(stats, "file.last_flush"), 0, uptime + 1);
    }

    [Fact]
    public async Task A_dogstatsd_tag_without_a_value_is_the_label_value_true_in_prometheus()
    {
        var port = FreePort.Tcp();
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject
        {
            ["backends"] = new JsonArray("prometheus"),
            ["prometheus"] = new JsonObject { ["port"] = port },
        });
        await statsd.SendAsync("tagged.hits:2|c|#region,env:prod");
        await statsd.Server.FlushNowAsync(Ct);
        using var http = new HttpClient();
        await Eventually.AssertAsync(
            () => http.GetStringAsync(statsd.Server.PrometheusUrl, Ct).GetAwaiter().GetResult()
                .Contains("tagged_hits_total{region=\"true\",env=\"prod\"} 2\n", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the value-less tag as region=\"true\" (docs/statsd.md)");
    }

    [Fact]
    public async Task Keys_that_differ_only_in_tags_are_one_family_and_promtool_accepts_the_page()
    {
        var port = FreePort.Tcp();
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject
        {
            ["backends"] = new JsonArray("prometheus"),
            ["prometheus"] = new JsonObject { ["port"] = port },
        });
        await statsd.SendAsync("fam.hits:1|c|#env:prod\nfam.hits:2|c|#env:dev\nfam.hits:5|c\nfam-hits:7|c\nfam.time:3|ms|#env:prod\nfam.time:4|ms\nfam.q:1|g|#path:a");
        await statsd.Server.FlushNowAsync(Ct);
        using var http = new HttpClient();
        var body = string.Empty;
        await Eventually.AssertAsync(
            () =>
            {
                body = http.GetStringAsync(statsd.Server.PrometheusUrl, Ct).GetAwaiter().GetResult();
                return body.Contains("fam_time_count 1\n", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(10),
            "the flushed values");

        Assert.Equal(1, body.Split('\n').Count(l => l == "# TYPE fam_hits_total counter"));
        Assert.Equal(1, body.Split('\n').Count(l => l == "# TYPE fam_time summary"));
        Assert.Contains("fam_hits_total{env=\"prod\"} 1\n", body, StringComparison.Ordinal);
        Assert.Contains("fam_hits_total{env=\"dev\"} 2\n", body, StringComparison.Ordinal);
        Assert.Contains("fam_hits_total 12\n", body, StringComparison.Ordinal); // fam.hits and fam-hits are one Prometheus name
        Assert.Contains("fam_q{path=\"a\"} 1\n", body, StringComparison.Ordinal);
        await Promtool.AssertValidAsync(body);
    }

    private static double StatValue(string stats, string name)
    {
        var line = stats.Split('\n').Single(l => l.StartsWith(name + ": ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 2)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
