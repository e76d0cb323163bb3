using System.Net;
using Opskit.Cluster.Embeddings;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Http;

public sealed class ReadinessAndBackPressureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Loads the real model only when the test opens the gate.</summary>
    private sealed class GatedLoader : IModelLoader
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<ModelFiles> LoadAsync(CancellationToken cancellationToken)
        {
            await Gate.Task.WaitAsync(cancellationToken);
            return await new MiniLmResources().LoadAsync(cancellationToken);
        }
    }

    [Fact]
    public async Task Ready_is_503_until_the_slow_model_load_completes()
    {
        var loader = new GatedLoader();
        var (app, client, _) = await ClusterServiceFixture.StartAsync(new ClusterOptions(), loader);
        await using var _app = app;
        using var _client = client;

        using (var live = await client.GetAsync("/health/live", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        using (var ready = await client.GetAsync("/health/ready", Ct))
        {
            await Json.AssertProblemAsync(ready, HttpStatusCode.ServiceUnavailable, null);
            Assert.NotNull(ready.Headers.RetryAfter);
        }

        using (var embed = await client.PostAsync("/embed", Json.Raw("""{"inputs": "too early"}"""), Ct))
        {
            await Json.AssertProblemAsync(embed, HttpStatusCode.ServiceUnavailable, null);
        }

        loader.Gate.SetResult();
        Assert.True(await Eventually.TryAsync(
            async () => (await client.GetAsync("/health/ready", Ct)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(90)));
        using var after = await client.PostAsync("/embed", Json.Raw("""{"inputs": "now"}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task Full_queue_is_429_with_retry_after_and_queued_work_still_completes()
    {
        var options = new ClusterOptions { Batching = new BatcherOptions { QueueCapacity = 64, Workers = 1 } };
        var (app, client, _) = await ClusterServiceFixture.StartAsync(options);
        await using var _app = app;
        using var _client = client;
        Assert.True(await Eventually.TryAsync(
            async () => (await client.GetAsync("/health/ready", Ct)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(90)));

        // 64 sentences of 256 tokens fill the queue for a second or more on two cores.
        var longText = string.Join(' ', Enumerable.Repeat("queue pressure test sentence", 80));
        var heavy = client.PostAsync("/embed", Json.Body(new { inputs = Enumerable.Repeat(longText, 64).ToArray() }), Ct);
        // One worker: depth falls by a whole batch (16) as each batch finishes. Above 16, at least one more
        // batch is still to run after the current one when the next request arrives, so it finds the queue busy.
        Assert.True(await Eventually.TryAsync(
            async () => QueueDepth(await client.GetStringAsync("/metrics", Ct)) > 16,
            TimeSpan.FromSeconds(30)));
        // As many sentences as the capacity: refused whenever anything at all is still queued.
        using (var refused = await client.PostAsync("/embed", Json.Body(new { inputs = Enumerable.Repeat("one more", 64).ToArray() }), Ct))
        {
            await Json.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, null);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        using var accepted = await heavy;
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(64, Json.Vectors(await Json.ReadAsync(accepted)).Length);
        await app.StopAsync(Ct);
    }

    private static int QueueDepth(string metrics)
    {
        var match = System.Text.RegularExpressions.Regex.Match(metrics, @"^opskit_cluster_queue_depth (\d+)$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(match.Success, "no opskit_cluster_queue_depth sample in /metrics");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
