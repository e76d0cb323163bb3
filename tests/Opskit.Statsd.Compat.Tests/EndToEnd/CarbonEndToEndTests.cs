using Opskit.Statsd.Compat.Tests.Support;
using Opskit.Testing;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.EndToEnd;

/// <summary>End to end with a real Graphite: statsd → carbon-cache → whisper file → whisper-fetch.</summary>
public sealed class CarbonEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    // graphiteProtocol 'text' (the default) and 'pickle' (Etsy's graphite_pickle_tests.js covers the
    // latter with a hand-written unpickler; here carbon's own unpickler is the judge).
    [Theory]
    [InlineData(StatsdDaemon.Etsy, "text")]
    [InlineData(StatsdDaemon.Opskit, "text")]
    [InlineData(StatsdDaemon.Etsy, "pickle")]
    [InlineData(StatsdDaemon.Opskit, "pickle")]
    public async Task Flushed_values_land_in_carbon_whisper_files(string daemon, string protocol)
    {
        await using var carbon = await CarbonServer.StartAsync();
        var config = new EtsyConfig
        {
            // Each flush is stamped with its second and whisper keeps one value per second: with 1 s flushes a
            // late flush and the next one can share a second, and the next one's zeros overwrite the data.
            { "flushInterval", 2000 },
            { "graphiteHost", "127.0.0.1" },
            { "graphitePort", carbon.LinePort },
            { "graphitePicklePort", carbon.PicklePort },
            { "graphiteProtocol", protocol },
            { "backends", new[] { "./backends/graphite" } },
            { "graphite", new EtsyConfig { { "legacyNamespace", false } } },
        };
        await using var statsd = await StatsdDaemon.StartAsync(daemon, config);

        await statsd.SendAsync("e2e.requests:40|c\ne2e.requests:2|c\ne2e.temperature:17.5|g\ne2e.latency:250|ms");

        await ExpectPointAsync(carbon, statsd, "stats.counters.e2e.requests.count", 42);
        await ExpectPointAsync(carbon, statsd, "stats.gauges.e2e.temperature", 17.5);
        await ExpectPointAsync(carbon, statsd, "stats.timers.e2e.latency.upper_90", 250);
        // The internal metrics reach Graphite too: the packet above is counted.
        await ExpectPointAsync(carbon, statsd, "stats.counters.statsd.packets_received.count", 1);
    }

    private static async Task ExpectPointAsync(CarbonServer carbon, StatsdDaemon statsd, string metric, double value)
    {
        IReadOnlyList<(long Timestamp, double Value)> points = [];
        var found = await Eventually.TryAsync(
            async () =>
            {
                points = await carbon.FetchAsync(metric);
                return points.Any(point => point.Value == value);
            },
            Timeout);
        Assert.True(found,
            $"{statsd.Name}: whisper-fetch of {metric} should show {value}; points: [{string.Join(", ", points)}], file exists: {File.Exists(carbon.WhisperFile(metric))}\n" +
            $"carbon output:\n{carbon.Process.Output}\nstatsd output:\n{statsd.Process.Output}");
    }
}
