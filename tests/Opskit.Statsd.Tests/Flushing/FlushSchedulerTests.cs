using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Flushing;
using Opskit.Statsd.Tests.Support;
using Opskit.Testing;
using Opskit.Testing.Graphite;

namespace Opskit.Statsd.Tests.Flushing;

public sealed class FlushSchedulerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    // Etsy getFlushTimeout: next multiple of the interval after startup, on the startup grid.
    [InlineData(1_000_000_000, 1_000_000_000, 10_000, 10_000)]
    [InlineData(1_000_000_000, 1_000_003_000, 10_000, 7_000)]
    [InlineData(1_000_000_000, 1_000_010_400, 10_000, 9_600)]
    [InlineData(1_000_000_000, 1_000_014_900, 10_000, 5_100)]
    public async Task Next_flush_is_aligned_to_the_startup_grid(long startupMs, long nowMs, double intervalMs, double expectedMs)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(nowMs));
        await using var aggregator = new Aggregator(1, new AggregationSettings { FlushIntervalMs = intervalMs }, new ReceiveStatistics(0));
        await using var scheduler = new FlushScheduler(aggregator, [], time, startupMs / 1000, NullLogger.Instance);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), scheduler.NextDelay());
    }

    [Fact]
    public async Task Flushes_fire_on_the_interval_with_fake_time_and_report_timestamp_lag()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        await using var graphite = new FakeGraphite();
        var config = RunningStatsd.GraphiteConfig(graphite);
        config["flushInterval"] = 10_000;
        await using var statsd = await RunningStatsd.StartAsync(config, time: time);
        await statsd.SendAsync("timed:1|c");
        Assert.Empty(graphite.Connections);

        await WaitUntilArmedAsync(statsd, 1);
        time.Advance(TimeSpan.FromSeconds(10));
        var first = await graphite.WaitForLineAsync("stats.counters.timed.count 1 1700000010");
        Assert.DoesNotContain("stats.gauges.statsd.timestamp_lag", first.Keys);
        // The backend reads the clock for last_flush after the connection closes; advancing before that
        // would stamp flush 1 with flush 2's time.
        var graphiteBackend = statsd.Server.Scheduler.Runners.Single().Backend;
        await Eventually.AssertAsync(
            () => graphiteBackend.Status().Single(s => s.Key == "last_flush").Value == 1_700_000_010,
            TimeSpan.FromSeconds(10),
            "flush 1 recorded as delivered");
        await WaitUntilArmedAsync(statsd, 2);
        time.Advance(TimeSpan.FromSeconds(10));
        var second = await graphite.WaitForLineAsync("stats.counters.timed.count 0 1700000020");
        Assert.Equal("0", second["stats.gauges.statsd.timestamp_lag"]);
        Assert.Equal("1700000010", second["stats.statsd.graphiteStats.last_flush"]);
    }

    // The loop reads the clock, then registers its delay; a fake-clock advance in between would move the due time
    // by a whole interval (a CI failure seen once). Advance only once the wait is registered.
    private static Task WaitUntilArmedAsync(RunningStatsd statsd, long times) =>
        Eventually.AssertAsync(() => statsd.Server.Scheduler.Armed >= times, TimeSpan.FromSeconds(10), $"the flush loop to wait for flush {times}");

    [Fact]
    public async Task A_slow_backend_keeps_its_own_queue()
    {
        var gate = new TaskCompletionSource();
        var slow = new BlockingBackend(gate.Task);
        var fast = new BlockingBackend(Task.CompletedTask);
        await using var aggregator = new Aggregator(1, new AggregationSettings(), new ReceiveStatistics(0));
        var scheduler = new FlushScheduler(aggregator, [slow, fast], TimeProvider.System, 0, NullLogger.Instance);
        for (var i = 0; i < 3; i++)
        {
            await scheduler.FlushAsync(Ct);
        }

        await Eventually.AssertAsync(() => fast.Flushed == 3, TimeSpan.FromSeconds(10), "three flushes at the fast backend");
        Assert.Equal(0, slow.Flushed);
        gate.SetResult();
        await scheduler.FinalFlushAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(4, slow.Flushed);
        Assert.Equal(4, fast.Flushed);
        await scheduler.DisposeAsync();
    }

    private sealed class BlockingBackend(Task gate) : IStatsdBackend
    {
        private int _flushed;

        public int Flushed => Volatile.Read(ref _flushed);

        public string Name => "blocking";

        public async Task FlushAsync(MetricSnapshot snapshot, CancellationToken cancellationToken)
        {
            await gate;
            Interlocked.Increment(ref _flushed);
        }

        public IEnumerable<KeyValuePair<string, double>> Status() => [];

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public sealed class ReloadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ConfigText(int udp, int mgmt, string extra) =>
        $"{{ address: '127.0.0.1', port: {udp}, mgmt_port: {mgmt}, flushInterval: 3600000, backends: [], udpReaders: 1, {extra} }}";

    [Fact]
    public async Task Changing_the_file_reloads_settings_without_losing_data()
    {
        using var dir = new TempDirectory();
        var path = dir.File("statsd.js");
        int udp = FreePort.Udp(), mgmt = FreePort.Tcp();
        await File.WriteAllTextAsync(path, ConfigText(udp, mgmt, "prefixStats: 'before'"), Ct);
        var config = Opskit.Statsd.Configuration.JsLiteralParser.Parse(await File.ReadAllTextAsync(path, Ct));
        await using var statsd = await RunningStatsd.StartAsync(config, configPath: path);
        await statsd.SendAsync("kept:5|c\ngauge:3|g");
        await File.WriteAllTextAsync(path, ConfigText(udp, mgmt, "prefixStats: 'after', deleteCounters: true"), Ct);
        await Eventually.AssertAsync(() => statsd.Server.Aggregator.Settings.PrefixStats == "after", TimeSpan.FromSeconds(10), "the reload");

        var snapshot = await statsd.Server.FlushNowAsync(Ct);
        Assert.Equal(5, snapshot.Counters.Single(c => c.Name == "kept").Value);
        Assert.Equal(3, snapshot.Gauges.Single(c => c.Name == "gauge").Value);
        Assert.Contains(snapshot.Counters, c => c.Name == "after.packets_received");
        // deleteCounters now applies: the idle counter is gone from the next flush.
        var next = await statsd.Server.FlushNowAsync(Ct);
        Assert.DoesNotContain(next.Counters, c => c.Name == "kept");
    }

    [Fact]
    public async Task Reload_on_request_ignores_automaticConfigReload_and_survives_a_broken_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("statsd.js");
        int udp = FreePort.Udp(), mgmt = FreePort.Tcp();
        await File.WriteAllTextAsync(path, ConfigText(udp, mgmt, "automaticConfigReload: false"), Ct);
        await using var statsd = await RunningStatsd.StartAsync(
            Opskit.Statsd.Configuration.JsLiteralParser.Parse(await File.ReadAllTextAsync(path, Ct)), configPath: path);
        await File.WriteAllTextAsync(path, "{ this is not a config", Ct);
        statsd.Server.Reload(); // what SIGHUP does
        Assert.Equal("statsd", statsd.Server.Aggregator.Settings.PrefixStats);
        await File.WriteAllTextAsync(path, ConfigText(udp, mgmt, "automaticConfigReload: false, gaugesMaxTTL: 4, deleteGauges: true"), Ct);
        statsd.Server.Reload();
        Assert.Equal(4, statsd.Server.Aggregator.Settings.GaugesMaxTtl);
        Assert.True(statsd.Server.Aggregator.Settings.DeleteGauges);
        await statsd.SendAsync("still:1|c");
    }
}
