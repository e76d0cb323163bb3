namespace Opskit.Cluster.Embeddings;

/// <summary>Dynamic batching limits (see docs/cluster.md for how the defaults were chosen).</summary>
internal sealed record BatcherOptions
{
    /// <summary>Most sentences in one model call. 1 switches dynamic batching off (one sentence per call).</summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>Most padded tokens (longest sentence × count) in one model call; bounds memory and latency.</summary>
    public int TokenBudget { get; init; } = 8192;

    /// <summary>How long an idle batcher waits for more sentences before running a partial batch.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Most sentences waiting for the model; beyond that requests are refused (429).</summary>
    public int QueueCapacity { get; init; } = 16_384;

    /// <summary>Model calls that may run at once; 1 gives each batch every intra-op thread.</summary>
    public int Workers { get; init; } = 1;
}
