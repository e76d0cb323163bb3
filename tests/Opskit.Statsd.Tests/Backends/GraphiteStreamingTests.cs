using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Backends.Graphite;

namespace Opskit.Statsd.Tests.Backends;

/// <summary>
/// Issue 21: a text flush is formatted while it is sent, batch by batch into one reused buffer. What goes on the
/// wire must be byte for byte the whole payload, and formatting the same flush again (a retry) must give the same
/// bytes, calculationtime included.
/// </summary>
public sealed class GraphiteStreamingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_streamed_flush_is_the_whole_payload_and_a_retry_sends_the_same_bytes(bool legacy)
    {
        var shard = new MetricShard();
        for (var i = 0; i < 20_000; i++)
        {
            shard.AddCounter(Encoding.UTF8.GetBytes($"stream.c{i};tag=v{i % 7}"), i % 3);
            if (i % 100 == 0)
            {
                shard.AddTimer(Encoding.UTF8.GetBytes($"stream.t{i}"), i, 1);
                shard.SetGauge(Encoding.UTF8.GetBytes($"stream.g{i}"), i / 7.0, signed: false);
                shard.AddSetMember(Encoding.UTF8.GetBytes($"stream.s{i}"), "m"u8);
            }
        }

        shard.AddCounter(Encoding.UTF8.GetBytes("stream.ünïcode.кириллица"), 5);
        var snapshot = SnapshotBuilder.Build([shard.TakeSnapshot()], new InternalCounts(3, 20_205, 1), [], new AggregationSettings(), 1_700_000_000);
        var names = new GraphiteNames(new JsonObject { ["graphite"] = new JsonObject { ["legacyNamespace"] = legacy } });
        var flush = new GraphiteFlush(snapshot, names, new GraphiteStatsValues(0, 1_699_999_990, 12, 3456, 1_700_000_001));

        var streamed = await SendAsync(flush);
        Assert.True(streamed.Length > 4 * GraphiteFlush.SendBatch, "the flush spans several batches");
        Assert.Equal(streamed.Length, flush.Length);

        // A retry formats the flush again: the same bytes (the first attempt's calculationtime is kept).
        var again = await SendAsync(flush);
        Assert.Equal(streamed, again);
        Assert.Equal(streamed, flush.Format(pickle: false).ToArray());

        var text = Encoding.UTF8.GetString(streamed);
        Assert.Contains(legacy ? "\nstats.stream.ünïcode.кириллица 0.5 1700000000\n" : "\nstats.counters.stream.ünïcode.кириллица.rate 0.5 1700000000\n", text, StringComparison.Ordinal);
        Assert.Contains(legacy ? "\nstats_counts.stream.c19999;tag=v0 1 1700000000\n" : "\nstats.counters.stream.c19999.count;tag=v0 1 1700000000\n", text, StringComparison.Ordinal);
        Assert.EndsWith("graphiteStats.flush_length 3456 1700000001\n", text, StringComparison.Ordinal);
        // An attempt cut early measures the length by formatting to the end; that fixes calculationtime, so the
        // retry is exactly that long. (Another flush of the same snapshot may time its formatting differently.)
        var cut = new GraphiteFlush(snapshot, names, new GraphiteStatsValues(0, 1_699_999_990, 12, 3456, 1_700_000_001));
        var measured = cut.MeasureLength(pickle: false);
        Assert.Equal(measured, (await SendAsync(cut)).Length);
    }

    private static async Task<byte[]> SendAsync(GraphiteFlush flush)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!, Ct);
        using var accepted = await listener.AcceptAsync(Ct);
        var reading = Task.Run(
            async () =>
            {
                using var stream = new NetworkStream(accepted);
                using var memory = new MemoryStream();
                await stream.CopyToAsync(memory, Ct);
                return memory.ToArray();
            },
            Ct);
        await flush.SendAsync(client, pickle: false, TimeSpan.FromSeconds(60), Ct);
        client.Shutdown(SocketShutdown.Send);
        return await reading.WaitAsync(TimeSpan.FromSeconds(60), Ct);
    }
}
