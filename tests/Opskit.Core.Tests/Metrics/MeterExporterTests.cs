using System.Diagnostics.Metrics;
using Opskit.Core.Metrics;
using Opskit.Testing;
using Xunit;

namespace Opskit.Core.Tests.Metrics;

public sealed class MeterExporterTests
{
    [Fact]
    public void Counter_is_summed_per_tag_set_whatever_the_tag_order()
    {
        using var meter = new Meter("Test.Counter");
        var requests = meter.CreateCounter<long>("opskit.test.requests", description: "HTTP requests by endpoint and status.");
        using var exporter = new MeterExporter(meter);

        requests.Add(1, new("endpoint", "/embed"), new("status", 200));
        requests.Add(2, new("status", 200), new("endpoint", "/embed"));
        requests.Add(1, new("endpoint", "/cluster"), new("status", 429));

        Assert.Equal(
            "# HELP opskit_test_requests_total HTTP requests by endpoint and status.\n"
            + "# TYPE opskit_test_requests_total counter\n"
            + "opskit_test_requests_total{endpoint=\"/embed\",status=\"200\"} 3\n"
            + "opskit_test_requests_total{endpoint=\"/cluster\",status=\"429\"} 1\n",
            exporter.Render());
    }

    [Fact]
    public void Untouched_instruments_show_zero_and_names_carry_unit_and_total()
    {
        using var meter = new Meter("Test.Names");
        meter.CreateCounter<long>("opskit.test.sent", unit: "By", description: "Bytes sent.");
        meter.CreateUpDownCounter<int>("opskit.test.open-connections", unit: "{connection}", description: "Open connections.");
        using var exporter = new MeterExporter(meter);

        var text = exporter.Render();

        Assert.Contains("# TYPE opskit_test_sent_bytes_total counter\nopskit_test_sent_bytes_total 0\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE opskit_test_open_connections gauge\nopskit_test_open_connections 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_uses_the_advised_buckets_cumulatively_with_sum_and_count()
    {
        using var meter = new Meter("Test.Histogram");
        var latency = meter.CreateHistogram<double>("opskit.test.latency", "s", "Request time.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        using var exporter = new MeterExporter(meter);

        latency.Record(0.05);
        latency.Record(0.5);
        latency.Record(0.75);
        latency.Record(3);

        Assert.Equal(
            "# HELP opskit_test_latency_seconds Request time.\n"
            + "# TYPE opskit_test_latency_seconds histogram\n"
            + "opskit_test_latency_seconds_bucket{le=\"0.1\"} 1\n"
            + "opskit_test_latency_seconds_bucket{le=\"1\"} 3\n"
            + "opskit_test_latency_seconds_bucket{le=\"+Inf\"} 4\n"
            + "opskit_test_latency_seconds_sum 4.3\n"
            + "opskit_test_latency_seconds_count 4\n",
            exporter.Render());
    }

    [Fact]
    public void Observable_instruments_are_read_at_each_scrape_and_vanished_series_leave()
    {
        using var meter = new Meter("Test.Observable");
        var depth = 3;
        var paths = new List<string> { "/a.db", "/b.db" };
        meter.CreateObservableGauge("opskit.test.queue.depth", () => depth, description: "Waiting items.");
        meter.CreateObservableGauge("opskit.test.loaded", () => paths.Select(p => new Measurement<int>(1, new KeyValuePair<string, object?>("path", p))), description: "Loaded files.");
        using var exporter = new MeterExporter(meter);

        var first = exporter.Render();
        depth = 7;
        paths.RemoveAt(0);
        var second = exporter.Render();

        Assert.Contains("opskit_test_queue_depth 3\n", first, StringComparison.Ordinal);
        Assert.Contains("opskit_test_loaded{path=\"/a.db\"} 1\n", first, StringComparison.Ordinal);
        Assert.Contains("opskit_test_queue_depth 7\n", second, StringComparison.Ordinal);
        Assert.DoesNotContain("/a.db", second, StringComparison.Ordinal);
        Assert.Contains("opskit_test_loaded{path=\"/b.db\"} 1\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_chosen_meter_instances_are_rendered_even_when_names_repeat()
    {
        // Tests and `opskit up` run several copies of a tool in one process: each /metrics shows its own counts.
        using var mine = new Meter("Test.Same");
        using var theirs = new Meter("Test.Same");
        var myHits = mine.CreateCounter<long>("opskit.test.hits");
        var theirHits = theirs.CreateCounter<long>("opskit.test.hits");
        using var exporter = new MeterExporter(mine);

        myHits.Add(2);
        theirHits.Add(40);

        Assert.Contains("opskit_test_hits_total 2\n", exporter.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Label_values_are_escaped_and_label_names_made_valid()
    {
        using var meter = new Meter("Test.Escape");
        var loaded = meter.CreateCounter<long>("opskit.test.files");
        using var exporter = new MeterExporter(meter);

        loaded.Add(1, new KeyValuePair<string, object?>("file.path", "C:\\x\n\"y\""));

        Assert.Contains("opskit_test_files_total{file_path=\"C:\\\\x\\n\\\"y\\\"\"} 1\n", exporter.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_tag_with_unbounded_values_is_capped_into_one_overflow_series()
    {
        using var meter = new Meter("Test.Cardinality");
        var byUser = meter.CreateCounter<long>("opskit.test.by_user");
        using var exporter = new MeterExporter(meter);

        for (var i = 0; i < InstrumentSeriesLimit + 500; i++)
        {
            byUser.Add(1, new KeyValuePair<string, object?>("user", "u" + i));
        }

        var lines = exporter.Render().Split('\n').Where(l => l.StartsWith("opskit_test_by_user_total", StringComparison.Ordinal)).ToList();
        Assert.Equal(InstrumentSeriesLimit + 1, lines.Count);
        Assert.Contains("opskit_test_by_user_total{otel_metric_overflow=\"true\"} 500", lines);
    }

    [Fact]
    public void Recording_on_an_existing_series_allocates_nothing()
    {
        using var meter = new Meter("Test.Allocation");
        var requests = meter.CreateCounter<long>("opskit.test.requests");
        var latency = meter.CreateHistogram<double>("opskit.test.latency", "s");
        using var exporter = new MeterExporter(meter);
        var endpoint = new KeyValuePair<string, object?>("endpoint", "/embed");
        requests.Add(1, endpoint);
        latency.Record(0.01, endpoint);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            requests.Add(1, endpoint);
            latency.Record(0.01, endpoint);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Contains("opskit_test_requests_total{endpoint=\"/embed\"} 10001\n", exporter.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_accepts_the_exposition()
    {
        using var meter = new Meter("Test.Promtool");
        meter.CreateCounter<long>("opskit.test.requests", description: "Requests \\ with \"quotes\"\nand a newline.")
            .Add(5, new KeyValuePair<string, object?>("endpoint", "/a\"b\\c\nd"));
        meter.CreateHistogram<double>("opskit.test.latency", "s", "Request time.").Record(0.2, new KeyValuePair<string, object?>("endpoint", "/a"));
        meter.CreateHistogram<int>("opskit.test.batch.size", description: "Sentences per batch.").Record(12);
        meter.CreateObservableGauge("opskit.test.memory", () => 1.5e9, "By", "Resident memory.");
        meter.CreateUpDownCounter<long>("opskit.test.inflight").Add(-1);
        using var exporter = new MeterExporter(meter);

        await Promtool.AssertValidAsync(exporter.Render());
    }

    private const int InstrumentSeriesLimit = 2000;
}
