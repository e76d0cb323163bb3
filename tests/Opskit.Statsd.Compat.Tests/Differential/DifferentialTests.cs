using System.Globalization;
using System.Text;
using Opskit.Statsd.Compat.Tests.Support;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.Differential;

/// <summary>
/// The same recorded stream into Etsy statsd 0.9.0 and into <c>opskit statsd</c>, each flushing to
/// its own fake Graphite: the flushed names and values must be equal, to the last digit.
/// </summary>
public sealed class DifferentialTests
{
    private const int Seed = 20261126;
    private const int FlushIntervalMs = 4000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Same_stream_flushes_the_same_names_and_values_as_Etsy()
    {
        var stream = RecordedStream.Generate(Seed, minimumLines: 10_000);
        Assert.True(stream.LineCount >= 10_000);

        var runs = await Task.WhenAll(RunAsync(StatsdDaemon.Etsy, stream), RunAsync(StatsdDaemon.Opskit, stream));
        var etsy = runs[0];
        var opskit = runs[1];
        Assert.True(etsy.Count > 800, $"the stream should flush many distinct metrics; Etsy flushed {etsy.Count}");

        var differences = Compare(etsy, opskit);
        Assert.True(differences.Count == 0,
            $"{differences.Count} of {etsy.Count} Etsy metrics differ (first 30 shown; name: etsy | opskit):\n" +
            string.Join("\n", differences.Take(30)));
    }

    /// <summary>Starts <paramref name="daemon"/>, sends the stream right after a flush, returns the next flush's values by name.</summary>
    private static async Task<Dictionary<string, string>> RunAsync(string daemon, RecordedStream stream)
    {
        await using var graphite = FakeGraphite.Start();
        var config = new EtsyConfig
        {
            { "flushInterval", FlushIntervalMs },
            { "graphitePort", graphite.Port },
            { "graphiteHost", "127.0.0.1" },
            { "percentThreshold", new object[] { 90, 99.5, -10 } },
            { "histogram", new[] { new EtsyConfig { { "metric", "diff.hist" }, { "bins", new object[] { 0.5, 10, 100, 1000, "inf" } } } } },
            { "graphite", new EtsyConfig { { "legacyNamespace", false } } },
        };
        await using var statsd = await StatsdDaemon.StartAsync(daemon, config);
        var first = await graphite.WaitForFirstFlushAsync(Timeout);

        // Paced well below what Etsy's single event loop drops (about 4,000 packets/s): the point here
        // is equal semantics; loss is the benchmark's subject.
        for (var i = 0; i < stream.Packets.Count; i++)
        {
            await statsd.SendAsync(stream.Packets[i]);
            if (i % 20 == 19)
            {
                await Task.Delay(5);
            }
        }

        var data = await graphite.WaitForFlushAsync(
            flush => flush.Value("stats.counters.statsd.packets_received.count") > 0, Timeout, $"{daemon}'s packets", first.Index + 1);
        var packets = data.Value("stats.counters.statsd.packets_received.count");
        var lines = data.Value("stats.counters.statsd.metrics_received.count");
        Assert.True(packets == stream.Packets.Count && lines == stream.LineCount,
            $"{daemon} should have received the whole stream in one flush interval: {packets} of {stream.Packets.Count} packets, " +
            $"{lines} of {stream.LineCount} lines. Output:\n{statsd.Process.Output}");

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in data.Lines)
        {
            if (!IsTimingOfTheDaemonItself(line.Name) && !values.TryAdd(line.Name, line.Value))
            {
                values[line.Name] += " (and again: " + line.Value + ")";
            }
        }

        return values;
    }

    /// <summary>The daemon's own clock readings, which no two runs share.</summary>
    private static bool IsTimingOfTheDaemonItself(string name) =>
        name.EndsWith(".timestamp_lag", StringComparison.Ordinal)
        || name.EndsWith(".processing_time", StringComparison.Ordinal)
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
