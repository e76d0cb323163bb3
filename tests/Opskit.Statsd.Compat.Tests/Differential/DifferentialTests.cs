using System.Globalization;
using System.Text;
using Opskit.Statsd.Compat.Tests.Support;
using Opskit.Testing.Graphite;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.Differential;

/// <summary>
/// The same recorded stream into Etsy statsd 0.9.0 and into <c>opskit statsd</c>, each flushing to
/// its own fake Graphite: the flushed names and values must be equal, to the last digit.
/// </summary>
public sealed class DifferentialTests
{
    private const int Seed = 20261126;
    private const int FlushIntervalMs = 5000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Configurations to compare under: <c>namespaced</c> (legacyNamespace false, several percentiles
    /// including a fractional and a negative one, histogram bins), <c>legacy</c> (Etsy's default
    /// names) and <c>prefixed</c> (every graphite prefix/suffix option, prefixStats, an empty prefix,
    /// calculatedTimerMetrics).
    /// </summary>
    [Theory]
    [InlineData("namespaced")]
    [InlineData("legacy")]
    [InlineData("prefixed")]
    public async Task Same_stream_flushes_the_same_names_and_values_as_Etsy(string variant)
    {
        var stream = RecordedStream.Generate(Seed, minimumLines: 10_000);
        Assert.True(stream.LineCount >= 10_000);

        var runs = await Task.WhenAll(RunAsync(StatsdDaemon.Etsy, stream, variant), RunAsync(StatsdDaemon.Opskit, stream, variant));
        var etsy = runs[0];
        var opskit = runs[1];
        Assert.True(etsy.Count > 400, $"the stream should flush many distinct metrics; Etsy flushed {etsy.Count}");

        var differences = Compare(etsy, opskit);
        Assert.True(differences.Count == 0,
            $"{differences.Count} of {etsy.Count} Etsy metrics differ (first 30 shown; name: etsy | opskit):\n" +
            string.Join("\n", differences.Take(30)));
    }

    /// <summary>
    /// Starts <paramref name="daemon"/>, sends the stream right after a flush and returns the next
    /// flush's values by name. The whole stream must land in that one flush; when it does not (the
    /// send straddled a flush boundary, or a busy machine made Etsy's small default receive buffer
    /// overflow), the run is repeated with a fresh daemon, at most three times.
    /// </summary>
    private static async Task<Dictionary<string, string>> RunAsync(string daemon, RecordedStream stream, string variant)
    {
        var attempts = new List<string>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var (values, problem) = await RunOnceAsync(daemon, stream, variant);
            if (values is not null)
            {
                return values;
            }

            attempts.Add($"attempt {attempt}: {problem}");
        }

        Assert.Fail($"{daemon} never received the whole stream in one flush interval:\n" + string.Join("\n", attempts));
        return null!;
    }

    private static async Task<(Dictionary<string, string>? Values, string Problem)> RunOnceAsync(string daemon, RecordedStream stream, string variant)
    {
        await using var graphite = FakeGraphite.Start();
        var config = new EtsyConfig
        {
            { "flushInterval", FlushIntervalMs },
            { "graphitePort", graphite.Port },
            { "graphiteHost", "127.0.0.1" },
            { "histogram", new[] { new EtsyConfig { { "metric", "diff.hist" }, { "bins", new object[] { 0.5, 10, 100, 1000, "inf" } } } } },
        };
        var (packetsName, linesName) = Configure(config, variant);
        await using var statsd = await StatsdDaemon.StartAsync(daemon, config);
        var first = await graphite.WaitForFirstFlushAsync(Timeout);

        // At most 10 packets per 5 ms (2,000 packets/s), well below where Etsy's single event loop
        // starts dropping: the point here is equal semantics; loss is the benchmark's subject.
        for (var i = 0; i < stream.Packets.Count; i++)
        {
            await statsd.SendAsync(stream.Packets[i]);
            if (i % 10 == 9)
            {
                await Task.Delay(5);
            }
        }

        var data = await graphite.WaitForFlushAsync(
            flush => flush.Value(packetsName) > 0, Timeout, $"{daemon}'s packets ({packetsName})", first.Index + 1);
        var packets = data.Value(packetsName);
        var lines = data.Value(linesName);
        if (packets != stream.Packets.Count || lines != stream.LineCount)
        {
            return (null, $"{packets} of {stream.Packets.Count} packets, {lines} of {stream.LineCount} lines in flush #{data.Index}");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in data.Lines)
        {
            if (!IsTimingOfTheDaemonItself(line.Name) && !values.TryAdd(line.Name, line.Value))
            {
                values[line.Name] += " (and again: " + line.Value + ")";
            }
        }

        return (values, string.Empty);
    }

    /// <summary>Applies <paramref name="variant"/>; returns the flushed names of the packet and line counts.</summary>
    private static (string Packets, string Lines) Configure(EtsyConfig config, string variant)
    {
        switch (variant)
        {
            case "namespaced":
                config["percentThreshold"] = new object[] { 90, 99.5, -10 };
                config["graphite"] = new EtsyConfig { { "legacyNamespace", false } };
                return ("stats.counters.statsd.packets_received.count", "stats.counters.statsd.metrics_received.count");
            case "legacy":
                config["percentThreshold"] = 95;
                return ("stats_counts.statsd.packets_received", "stats_counts.statsd.metrics_received");
            case "prefixed":
                config["percentThreshold"] = new object[] { 50, -25 };
                config["prefixStats"] = "agg";
                config["calculatedTimerMetrics"] = new[] { "count", "upper", "mean_percent", "upper_percent", "lower_percent", "histogram" };
                config["graphite"] = new EtsyConfig
                {
                    { "legacyNamespace", false },
                    { "globalPrefix", "prod" },
                    { "prefixCounter", "c" },
                    { "prefixTimer", "t" },
                    { "prefixGauge", "" },
                    { "prefixSet", "uniques" },
                    { "globalSuffix", "sfx" },
                };
                return ("prod.c.agg.packets_received.count.sfx", "prod.c.agg.metrics_received.count.sfx");
            default:
                throw new ArgumentException($"unknown variant {variant}", nameof(variant));
        }
    }

    /// <summary>The daemon's own clock readings, which no two runs share.</summary>
    private static bool IsTimingOfTheDaemonItself(string name) =>
        name.Contains(".timestamp_lag", StringComparison.Ordinal)
        || name.Contains(".processing_time", StringComparison.Ordinal)
        || name.Contains(".graphiteStats.", StringComparison.Ordinal);

    private static List<string> Compare(Dictionary<string, string> etsy, Dictionary<string, string> opskit)
    {
        var differences = new List<string>();
        foreach (var (name, expected) in etsy.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!opskit.TryGetValue(name, out var actual))
            {
                differences.Add($"{name}: {expected} | (missing)");
            }
            else if (!SameNumber(expected, actual))
            {
                differences.Add($"{name}: {expected} | {actual}");
            }
        }

        foreach (var name in opskit.Keys.Where(name => !etsy.ContainsKey(name)).Order(StringComparer.Ordinal))
        {
            differences.Add($"{name}: (missing) | {opskit[name]}");
        }

        return differences;
    }

    /// <summary>Equal as IEEE doubles (what Graphite stores), so <c>1e21</c> and <c>1E+21</c> agree but 30 and 30.000000000000004 do not.</summary>
    private static bool SameNumber(string expected, string actual) =>
        expected == actual
        || (double.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out var e)
            && double.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && e.Equals(a));

    // Keeps the generator honest: the stream really covers what the test claims.
    [Fact]
    public void Recorded_stream_covers_every_type_sample_rates_tags_and_bad_lines()
    {
        var stream = RecordedStream.Generate(Seed, minimumLines: 10_000);
        var text = string.Join("\n", stream.Packets.Select(Encoding.UTF8.GetString));

        foreach (var needle in new[] { "|c\n", "|c|@0.1", "|ms", "|ms|@", "|g", ":+", ":-", "|s", "|#env:prod", "|x", "diff.bad.", "\n\n", "|c:", ";tag1=val1", "needs sanitizing/" })
        {
            Assert.Contains(needle, text, StringComparison.Ordinal);
        }

        Assert.True(stream.Packets.Count > 300, $"{stream.Packets.Count} packets");
        Assert.All(stream.Packets, packet => Assert.InRange(packet.Length, 1, 1500));
    }
}
