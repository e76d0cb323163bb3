using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Opskit.Statsd.Backends.Graphite;
using Opskit.Statsd.Tests.Support;
using Opskit.Testing;

namespace Opskit.Statsd.Tests.Backends;

/// <summary>
/// Issue 21, point 1: big flushes reach a carbon that reads slowly, a stalled carbon is cut after the write
/// timeout, an interrupted flush is retried whole, and the retry buffer is bounded by bytes.
/// </summary>
public sealed partial class GraphiteDeliveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_big_flush_to_a_slow_reader_arrives_whole_in_one_connection()
    {
        var python = ExternalProgram.Require("python3", "apt: python3");
        // 1 MB/s: the ~12 MB flush takes about 12 s. The kernel's send buffer (up to 4 MB) absorbs part of it, the
        // rest must be read within the write: more than the 5 s that once bounded connect and write together.
        await using var carbon = ExternalProcess.Start(python, [SlowCarbonScript, "1000000"]);
        await carbon.WaitForOutputAsync("port ", TimeSpan.FromSeconds(30));
        var port = int.Parse(PortLine().Match(carbon.Output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var config = new JsonObject
        {
            ["graphiteHost"] = "127.0.0.1",
            ["graphitePort"] = port,
            ["backends"] = new JsonArray("./backends/graphite"),
            ["graphite"] = new JsonObject { ["legacyNamespace"] = false },
            ["aggregationShards"] = 1,
        };
        await using var statsd = await RunningStatsd.StartAsync(config);
        const int Keys = 110_000;
        await statsd.Server.Aggregator.OnEveryShardAsync(
            shard =>
            {
                for (var i = 0; i < Keys; i++)
                {
                    shard.AddCounter(Encoding.ASCII.GetBytes($"slow.reader.key{i:D6}"), 1);
                }

                return 0;
            },
            Ct);

        await statsd.Server.FlushNowAsync(Ct);
        await carbon.WaitForOutputAsync("connection ", TimeSpan.FromSeconds(90));
        var connection = ConnectionLine().Match(carbon.Output);
        var graphite = Graphite(statsd);
        // Rate and count per key, 3 internal counters (x2), numStats, calculationtime, processing_time and 4 graphiteStats.
        Assert.Equal((2 * (Keys + 3)) + 3 + 4, int.Parse(connection.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("yes", connection.Groups[3].Value);
        Assert.Equal(0, graphite.UnsentFlushes);
        Assert.Single(ConnectionLine().Matches(carbon.Output));
    }

    [Fact]
    public async Task A_receiver_that_stops_reading_is_cut_after_the_write_timeout()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.ReceiveBufferSize = 4096;
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { SendBufferSize = 4096 };
        await client.ConnectAsync(listener.LocalEndPoint!, Ct);
        using var accepted = await listener.AcceptAsync(Ct); // never read from

        var writer = new GraphitePayloadWriter(pickle: false);
        for (var i = 0; i < 200_000; i++)
        {
            writer.Line("stalled.receiver.key" + i, i, 1_700_000_000);
        }

        var payload = writer.Finish();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() => payload.SendAsync(client, TimeSpan.FromMilliseconds(500), Ct));
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_flush_cut_midway_is_sent_again_whole_with_the_next_one()
    {
        // The first connection is never read (the write stalls and is cut after writeTimeout); the second is read whole.
        const int Keys = 100_000; // ~8 MB: more than the kernel's socket buffers hold
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.ReceiveBufferSize = 4096;
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        var serving = Task.Run(async () =>
        {
            using var stalled = await listener.AcceptAsync(Ct);
            using var connection = await listener.AcceptAsync(Ct);
            using var stream = new NetworkStream(connection);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory, Ct);
            return Encoding.UTF8.GetString(memory.ToArray());
        });

        var config = new JsonObject
        {
            ["graphiteHost"] = "127.0.0.1",
            ["graphitePort"] = ((IPEndPoint)listener.LocalEndPoint!).Port,
            ["backends"] = new JsonArray("./backends/graphite"),
            // retryBufferSeconds: the test's hour-long interval would otherwise leave room for one flush only.
            // writeTimeout: long enough that the second connection, which is read, is never cut because the test's
            // reader was not scheduled for a while on a loaded machine (with 1 s it was, once in four full runs).
            ["graphite"] = new JsonObject { ["legacyNamespace"] = false, ["writeTimeout"] = 5000, ["retryBufferSeconds"] = 36_000 },
            ["aggregationShards"] = 1,
        };
        await using var statsd = await RunningStatsd.StartAsync(config);
        await statsd.Server.Aggregator.OnEveryShardAsync(
            shard =>
            {
                for (var i = 0; i < Keys; i++)
                {
                    shard.AddCounter(Encoding.ASCII.GetBytes($"cut.key{i:D6}"), 1);
                }

                return 0;
            },
            Ct);
        await statsd.Server.FlushNowAsync(Ct);
        var graphite = Graphite(statsd);
        await Eventually.AssertAsync(() => graphite.UnsentFlushes == 1 && Status(graphite, "last_exception") > 0, TimeSpan.FromSeconds(60), "the cut flush kept for retry");

        await statsd.Server.FlushNowAsync(Ct);
        var received = await serving.WaitAsync(TimeSpan.FromSeconds(90), Ct);
        Assert.Equal(0, graphite.UnsentFlushes);
        var counts = received.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("stats.counters.cut.key", StringComparison.Ordinal) && l.Contains(".count ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[1])
            .ToList();
        // The cut flush (count 1 per key) arrives whole and once, followed by the next flush (count 0 per key).
        Assert.Equal(Keys, counts.Count(v => v == "1"));
        Assert.Equal(Keys, counts.Count(v => v == "0"));
        Assert.Equal("1", counts[0]);
        Assert.Equal("0", counts[^1]);
    }

    [Fact]
    public async Task The_retry_buffer_is_bounded_by_bytes_and_reports_what_it_drops()
    {
        var config = new JsonObject
        {
            ["graphiteHost"] = "127.0.0.1",
            ["graphitePort"] = FreePort.Tcp(), // nothing listens: every connect is refused
            ["backends"] = new JsonArray("./backends/graphite"),
            ["graphite"] = new JsonObject { ["legacyNamespace"] = false, ["retryBufferBytes"] = 3000 },
        };
        await using var statsd = await RunningStatsd.StartAsync(config);
        var graphite = Graphite(statsd);
        for (var i = 0; i < 4; i++)
        {
            await statsd.SendAsync($"bounded.key{i}:1|c");
            await statsd.Server.FlushNowAsync(Ct);
        }

        await Eventually.AssertAsync(() => Status(graphite, "dropped_flushes") >= 2, TimeSpan.FromSeconds(30), "flushes dropped by the byte bound");
        Assert.InRange(Status(graphite, "unsent_bytes"), 1, 3000);
        Assert.True(Status(graphite, "dropped_bytes") > 0);
        var stats = await statsd.ManageAsync("stats");
        Assert.Matches(@"\ngraphite\.dropped_bytes: [1-9]\d*\n", stats);
    }

    private static double Status(GraphiteBackend backend, string key) => backend.Status().Single(s => s.Key == key).Value;

    private static GraphiteBackend Graphite(RunningStatsd statsd) =>
        statsd.Server.Scheduler.Runners.Select(r => r.Backend).OfType<GraphiteBackend>().Single();

    private static string SlowCarbonScript => Path.Combine(RepoPaths.Root, "tests", "Opskit.Statsd.Tests", "Support", "slow_carbon.py");

    [GeneratedRegex(@"port (\d+)")]
    private static partial Regex PortLine();

    [GeneratedRegex(@"connection (\d+) (\d+) (yes|no)")]
    private static partial Regex ConnectionLine();
}
