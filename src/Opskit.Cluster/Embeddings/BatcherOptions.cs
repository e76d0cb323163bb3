namespace Opskit.Cluster.Embeddings;

/// <summary>Dynamic batching limits (see docs/cluster.md for how the defaults were chosen).</summary>
internal sealed record BatcherOptions
{
    /// <summary>
    /// Most sentences in one model call. 1 switches dynamic batching off (one sentence per call). 16: on one
    /// core a batch of 16 short sentences runs as fast per sentence as 32 or 64, and smaller batches keep
    /// every worker busy (docs/cluster.md, "Tuning").
    /// </summary>
    public int MaxBatchSize { get; init; } = 16;

    /// <summary>Most padded tokens (longest sentence × count) in one model call; bounds memory and latency.</summary>
    public int TokenBudget { get; init; } = 8192;

    /// <summary>
    /// How long an idle batcher waits for more sentences before running a partial batch (default 0: do not wait).
    /// With one single-threaded worker per core a waiting worker is an idle core, and under load batches fill
    /// by themselves with what queued while the workers were busy; measured in docs/cluster.md.
    /// </summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Admission keyed to time: a request that the queue ahead of it would not let start within this is refused at
    /// once with 429 and <c>Retry-After</c>, so under overload a client gets a timely answer or a quick refusal
    /// instead of a long wait (issue #21: 500 clients waited up to 24.6 s). Zero turns the check off.
    /// </summary>
    public TimeSpan AdmissionBudget { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Most sentences waiting for the model; beyond that requests are refused (429).</summary>
    public int QueueCapacity { get; init; } = 16_384;

    /// <summary>
    /// Model calls that may run at once. Default: one per core, each with one intra-op thread: separate
    /// single-threaded calls never wait at ONNX Runtime's per-operator thread barriers, which measured
    /// about 1.2–1.5 × the throughput of one call using every core on a 2-core machine.
    /// </summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
}
