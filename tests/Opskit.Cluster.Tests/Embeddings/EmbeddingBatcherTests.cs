using Opskit.Cluster.Diagnostics;
using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Tests.Embeddings;

[Collection(ModelCollection.Name)]
public sealed class EmbeddingBatcherTests(ModelFixture fixture)
{
    private static readonly string[] Sentences =
    [
        "The cat sits outside",
        "A man is playing guitar",
        "I love pasta",
        "The new movie is awesome and everybody who saw it in the cinema last weekend agrees",
        "The cat plays in the garden",
        "A woman watches TV",
        "Do you like pizza?",
        "x",
    ];

    private float[][] EmbedOneByOne()
    {
        var result = new float[Sentences.Length][];
        for (var i = 0; i < Sentences.Length; i++)
        {
            result[i] = new float[fixture.Model.Dimension];
            fixture.Model.Embed(new[] { fixture.Model.Tokenize(Sentences[i]) }, result[i]);
        }

        return result;
    }

    private static void AssertSameVectors(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var cosine = VectorMath.Dot(expected[i], actual[i]);
            Assert.True(cosine > 0.99999f, $"sentence {i}: cosine {cosine}");
        }
    }

    [Fact]
    public async Task Concurrent_requests_get_the_vectors_of_one_by_one_inference_and_share_batches()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions { MaxWait = TimeSpan.FromMilliseconds(20) }, metrics);
        var expected = EmbedOneByOne();
        var tasks = Enumerable.Range(0, 40)
            .Select(i => Task.Run(() => batcher.EmbedAsync([Sentences[i % Sentences.Length]], TestContext.Current.CancellationToken)))
            .ToArray();
        var results = await Task.WhenAll(tasks);
        for (var i = 0; i < results.Length; i++)
        {
            AssertSameVectors([expected[i % Sentences.Length]], results[i]);
        }

        Assert.True(metrics.BatchCount < 40, $"{metrics.BatchCount} batches for 40 one-sentence requests: no batching happened");
        Assert.Equal(0, batcher.QueueDepth);
    }

    [Fact]
    public async Task Batching_switched_off_runs_one_sentence_per_model_call()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions { MaxBatchSize = 1 }, metrics);
        var vectors = await batcher.EmbedAsync(Sentences, TestContext.Current.CancellationToken);
        AssertSameVectors(EmbedOneByOne(), vectors);
        Assert.Equal(Sentences.Length, metrics.BatchCount);
    }

    [Fact]
    public async Task Token_budget_splits_a_request_into_several_batches()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions { TokenBudget = 40 }, metrics);
        var vectors = await batcher.EmbedAsync(Sentences, TestContext.Current.CancellationToken);
        AssertSameVectors(EmbedOneByOne(), vectors);
        Assert.True(metrics.BatchCount >= 3, $"{metrics.BatchCount} batches");
    }

    [Fact]
    public async Task Request_of_a_client_that_went_away_is_dropped_before_the_model()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions(), metrics);
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        var job = batcher.Enqueue(Sentences, gone.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.Completion);
        job.Release();
        Assert.Equal(0, metrics.BatchCount);
        Assert.Contains($"opskit_cluster_dropped_sentences_total {Sentences.Length}", metrics.WritePrometheus(), StringComparison.Ordinal);
        Assert.Equal(0, batcher.QueueDepth);
    }

    [Fact]
    public async Task Full_queue_refuses_new_work_and_keeps_what_it_holds()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions { QueueCapacity = 200 }, metrics);
        var big = Enumerable.Range(0, 200).Select(i => $"sentence number {i} about a topic that takes a few tokens to say").ToArray();
        var first = batcher.Enqueue(big, TestContext.Current.CancellationToken);
        // As many sentences as the capacity: refused while any sentence of the first request is still queued.
        var refused = Assert.Throws<QueueFullException>(() => batcher.Enqueue(Enumerable.Repeat("one more", 200).ToArray(), TestContext.Current.CancellationToken));
        Assert.Equal(200, refused.Capacity);
        await first.Completion.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(1f, VectorMath.Dot(first.Vector(199), first.Vector(199)), 1e-4f);
        first.Release();
        var after = await batcher.EmbedAsync(["one more"], TestContext.Current.CancellationToken);
        Assert.Single(after);
    }

    [Fact]
    public async Task Stopping_fails_the_requests_still_waiting_instead_of_leaving_them_hanging()
    {
        using var metrics = new ClusterMetrics();
        var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions { Workers = 1, MaxBatchSize = 1 }, metrics);
        var jobs = Enumerable.Range(0, 20)
            .Select(j => batcher.Enqueue(Sentences, TestContext.Current.CancellationToken))
            .ToArray();
        await batcher.DisposeAsync();

        var failed = 0;
        foreach (var job in jobs)
        {
            // Before the fix, the jobs behind the running batch never completed.
            var outcome = await Record.ExceptionAsync(() => job.Completion.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
            if (outcome is not null)
            {
                Assert.IsType<ObjectDisposedException>(outcome);
                failed++;
            }

            job.Release();
        }

        Assert.True(failed > 0, "160 one-sentence batches all ran before the stop: the test did not exercise the stop");
        Assert.Equal(0, batcher.QueueDepth);
    }

    [Fact]
    public async Task Empty_request_completes_at_once()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions(), metrics);
        var vectors = await batcher.EmbedAsync([], TestContext.Current.CancellationToken);
        Assert.Empty(vectors);
        Assert.Equal(0, metrics.BatchCount);
    }

    [Fact]
    public async Task Several_workers_split_a_request_into_batches_and_put_every_vector_in_its_place()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions { Workers = 3, MaxBatchSize = 4 }, metrics);
        var expected = EmbedOneByOne();
        var request = Enumerable.Range(0, 40).Select(i => Sentences[i % Sentences.Length]).ToArray();
        var vectors = await batcher.EmbedAsync(request, TestContext.Current.CancellationToken);
        AssertSameVectors(request.Select(r => expected[Array.IndexOf(Sentences, r)]).ToArray(), vectors);
        Assert.True(metrics.BatchCount >= 10, $"{metrics.BatchCount} batches for 40 sentences at most 4 per batch");
        Assert.Equal(0, batcher.QueueDepth);
    }

    [Fact]
    public async Task Several_workers_serve_concurrent_requests_with_one_by_one_vectors()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions { Workers = 2, MaxBatchSize = 8 }, metrics);
        var expected = EmbedOneByOne();
        var tasks = Enumerable.Range(0, 48)
            .Select(i => Task.Run(() => batcher.EmbedAsync([Sentences[i % Sentences.Length], Sentences[(i + 3) % Sentences.Length]], TestContext.Current.CancellationToken)))
            .ToArray();
        var results = await Task.WhenAll(tasks);
        for (var i = 0; i < results.Length; i++)
        {
            AssertSameVectors([expected[i % Sentences.Length], expected[(i + 3) % Sentences.Length]], results[i]);
        }

        Assert.Equal(0, batcher.QueueDepth);
    }

    [Fact]
    public async Task Lone_client_stays_on_the_worker_that_ran_its_last_request()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions { Workers = 2 }, metrics);
        var workers = new List<int>();
        for (var i = 0; i < 24; i++)
        {
            var job = batcher.Enqueue([Sentences[i % Sentences.Length]], TestContext.Current.CancellationToken);
            await job.Completion;
            workers.Add(job.Worker);
            job.Release();
        }

        // Taking turns would cost every request a thread that has slept since the request before last.
        Assert.All(workers, w => Assert.InRange(w, 0, 1));
        Assert.Single(workers.Distinct());
    }

    [Fact]
    public async Task Request_arriving_while_the_other_worker_runs_a_batch_starts_on_an_idle_worker()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions { Workers = 2 }, metrics);
        // One sentence of the full 256 tokens: a single batch that keeps one worker busy for tens of milliseconds.
        var first = batcher.Enqueue([string.Join(' ', Enumerable.Repeat("guitar pasta cinema weekend", 100))], TestContext.Current.CancellationToken);
        Assert.True(SpinWait.SpinUntil(() => first.QueueTime > TimeSpan.Zero, TimeSpan.FromSeconds(10)), "the long request never started");
        var second = batcher.Enqueue([Sentences[0]], TestContext.Current.CancellationToken);
        var firstStillRunning = !first.Completion.IsCompleted;
        await Task.WhenAll(first.Completion, second.Completion);
        Assert.True(firstStillRunning, "the long request finished before the second was queued; the test needs it running");
        Assert.NotEqual(first.Worker, second.Worker);
        first.Release();
        second.Release();
    }

    [Fact]
    public async Task Job_keeps_the_norm_of_each_pooled_vector_before_normalization()
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(fixture.Model, new BatcherOptions(), metrics);
        var job = batcher.Enqueue(Sentences, TestContext.Current.CancellationToken);
        try
        {
            await job.Completion.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            for (var i = 0; i < Sentences.Length; i++)
            {
                var alone = new float[fixture.Model.Dimension];
                var norm = new float[1];
                fixture.Model.Embed(new[] { fixture.Model.Tokenize(Sentences[i]) }, alone, norm);
                Assert.True(norm[0] is > 0.1f and not (> 0.999f and < 1.001f), $"sentence {i}: pooled norm {norm[0]} should be a real, non-unit norm");
                Assert.Equal(norm[0], job.Norm(i), norm[0] * 1e-3f);
            }
        }
        finally
        {
            job.Release();
        }
    }
}
