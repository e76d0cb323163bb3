namespace Opskit.Cluster.Embeddings;

/// <summary>How the ONNX session and tokenizer are set up.</summary>
internal sealed record EmbeddingModelOptions
{
    /// <summary>
    /// ONNX Runtime intra-op threads per model call; default 1, because the batcher runs one model call per
    /// core at once (<see cref="BatcherOptions.Workers"/>). <c>opskit cluster</c> gives each worker
    /// cores ÷ workers threads when only the worker count is set.
    /// </summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>
    /// Truncation length including <c>[CLS]</c> and <c>[SEP]</c>; null: the model's own, chosen as sentence-transformers
    /// chooses it (<see cref="SequenceLength"/>; all-MiniLM-L6-v2: 256).
    /// </summary>
    public int? MaxTokens { get; init; }

    /// <summary>Pooling of token vectors; null: the model's own (<c>1_Pooling/config.json</c>; mean when it says nothing).</summary>
    public Pooling? Pooling { get; init; }

    /// <summary>
    /// Whether idle ONNX Runtime worker threads spin waiting for work. Off by default: in a service the
    /// spinning thread takes the core that Kestrel and the tokenizer need between batches, and on a shared
    /// 2-core machine it cut HTTP throughput several-fold (bench/cluster, docs/benchmarks.md).
    /// </summary>
    public bool AllowSpinning { get; init; }
}
