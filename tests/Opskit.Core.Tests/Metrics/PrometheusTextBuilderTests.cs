using Opskit.Core.Metrics;
using Xunit;

namespace Opskit.Core.Tests.Metrics;

public sealed class PrometheusTextBuilderTests
{
    [Fact]
    public void Counter_and_gauge_write_help_type_and_one_sample()
    {
        var text = new PrometheusTextBuilder()
            .Counter("jobs_total", "Jobs done.", 42)
            .Gauge("queue_depth", "Waiting jobs.", 2.5)
            .ToString();
        Assert.Equal(
            "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 42\n"
            + "# HELP queue_depth Waiting jobs.\n# TYPE queue_depth gauge\nqueue_depth 2.5\n",
            text);
    }

    [Fact]
    public void Label_values_are_escaped()
    {
        var text = new PrometheusTextBuilder()
            .Sample("loaded", 0.25, ("path", "C:\\data\\\"profiles\".db"), ("state", "line1\nline2"))
            .ToString();
        Assert.Equal("loaded{path=\"C:\\\\data\\\\\\\"profiles\\\".db\",state=\"line1\\nline2\"} 0.25\n", text);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(1e-7, "1E-07")]
    public void Special_values_use_the_exposition_spelling(double value, string expected) =>
        Assert.Equal(expected, PrometheusTextBuilder.FormatValue(value));
}
