using System.Diagnostics;
using Opskit.Cluster.Diagnostics;
using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Tests.Embeddings;

/// <summary>Issue #21 point 7: a request the queue cannot start within the budget is refused at once, not kept waiting.</summary>
[Collection(ModelCollection.Name)]
public sealed class AdmissionBudgetTests(ModelFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] Many(int count) =>
        [.. Enumerable.Range(0, count).Select(i => $"sentence number {i} about a topic that takes quite a few more tokens to say out loud")];

    [Fact]
    public async Task Request_behind_more_work_than_the_budget_is_refused_at_once_with_a_retry_time()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions { AdmissionBudget = TimeSpan.FromMilliseconds(300) }, metrics);
        // One measured batch gives the batcher its speed.
        await batcher.EmbedAsync(Many(16), Ct);
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // Far more than 300 ms of work on any machine (about 40,000 tokens), but well under the queue capacity.
        var ahead = batcher.Enqueue(Many(2000), leave.Token);
        try
        {
            var clock = Stopwatch.StartNew();
            var refused = Assert.Throws<QueueFullException>(() => batcher.Enqueue(["one more"], Ct));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"refusing took {clock.Elapsed}");
            Assert.True(refused.ExpectedWait > TimeSpan.FromMilliseconds(300), $"expected wait {refused.ExpectedWait}");
            Assert.InRange(refused.RetryAfterSeconds, 1, 60);
            Assert.Contains("admission budget", refused.Message, StringComparison.Ordinal);
            Assert.Contains("opskit_cluster_rejected_total 1", metrics.WritePrometheus(), StringComparison.Ordinal);
            // The check the endpoints make before reading a body says the same.
            Assert.True(batcher.OverBudget(out var early));
            Assert.True(early!.RetryAfterSeconds >= 1);
        }
        finally
        {
            await leave.CancelAsync();
            await Record.ExceptionAsync(() => ahead.Completion);
            ahead.Release();
        }

        // Once the work ahead is gone, requests are admitted again.
        Assert.True(await Opskit.Testing.Eventually.TryAsync(() => Task.FromResult(batcher.QueueDepth == 0), TimeSpan.FromSeconds(60)));
        Assert.False(batcher.OverBudget(out _));
        Assert.Single(await batcher.EmbedAsync(["one more"], Ct));
    }

    [Fact]
    public async Task Budget_zero_switches_the_check_off()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions { AdmissionBudget = TimeSpan.Zero }, metrics);
        await batcher.EmbedAsync(Many(16), Ct);
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var ahead = batcher.Enqueue(Many(2000), leave.Token);
        var next = batcher.Enqueue(["one more"], leave.Token);
        Assert.Equal(2001, batcher.QueueDepth);
        await leave.CancelAsync();
        await Record.ExceptionAsync(() => ahead.Completion);
        await Record.ExceptionAsync(() => next.Completion);
        ahead.Release();
        next.Release();
    }

    [Fact]
    public void Default_budget_is_a_few_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), new BatcherOptions().AdmissionBudget);
    }
}
