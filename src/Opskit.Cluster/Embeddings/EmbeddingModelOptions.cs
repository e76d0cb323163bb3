namespace Opskit.Cluster.Embeddings;

/// <summary>How the ONNX session and tokenizer are set up.</summary>
internal sealed record EmbeddingModelOptions
{
    /// <summary>ONNX Runtime intra-op threads; default: one per core (the batcher runs one batch at a time).</summary>
    public int IntraOpThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Truncation length including <c>[CLS]</c> and <c>[SEP]</c> (all-MiniLM-L6-v2: 256).</summary>
    public int MaxTokens { get; init; } = 256;

    public Pooling Pooling { get; init; } = Pooling.Mean;

    /// <summary>
    /// Whether idle ONNX Runtime worker threads spin waiting for work. Off by default: in a service the
    /// spinning thread takes the core that Kestrel and the tokenizer need between batches, and on a shared
    /// 2-core machine it cut HTTP throughput several-fold (bench/cluster, docs/benchmarks.md).
    /// </summary>
    public bool AllowSpinning { get; init; }
}
