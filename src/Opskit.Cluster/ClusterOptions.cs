using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster;

/// <summary>Everything <c>opskit cluster</c> can be told; defaults are documented in docs/cluster.md.</summary>
internal sealed record ClusterOptions
{
    /// <summary>Listen addresses (Kestrel <c>--urls</c> syntax). Loopback unless configured.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8000";

    /// <summary>Folder with another model (<c>model.onnx</c> + <c>tokenizer.json</c>); null = the bundled all-MiniLM-L6-v2.</summary>
    public string? ModelDirectory { get; init; }

    /// <summary>Largest request body; larger requests get 413.</summary>
    public long MaxBodyBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>Most sentences in one request; more get 413.</summary>
    public int MaxSentences { get; init; } = 4096;

    public EmbeddingModelOptions Model { get; init; } = new();

    public BatcherOptions Batching { get; init; } = new();

    /// <summary>Checks the values and names the first bad one.</summary>
    public void Validate()
    {
        static void Require(bool ok, string option, string rule)
        {
            if (!ok)
            {
                throw new ArgumentException($"{option} {rule}", option);
            }
        }

        Require(MaxBodyBytes > 0, "--max-body-bytes", "must be positive");
        Require(MaxSentences > 0, "--max-sentences", "must be positive");
        Require(Model.IntraOpThreads > 0, "--intra-op-threads", "must be positive");
        Require(Model.MaxTokens is null or (>= 2 and <= 8192), "--max-tokens", "must be between 2 and 8192");
        Require(Batching.MaxBatchSize > 0, "--max-batch-size", "must be positive");
        Require(Batching.TokenBudget >= (Model.MaxTokens ?? (ModelDirectory is null ? MiniLmResources.Limits.Resolve() : 2)), "--token-budget", "must be at least --max-tokens");
        Require(Batching.QueueCapacity > 0, "--queue-capacity", "must be positive");
        Require(Batching.Workers > 0, "--batch-workers", "must be positive");
        Require(Batching.MaxWait >= TimeSpan.Zero, "--max-wait-ms", "must not be negative");
        Require(Batching.AdmissionBudget >= TimeSpan.Zero, "--queue-budget-ms", "must not be negative (0 turns the check off)");
    }
}
