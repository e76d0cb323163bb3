namespace Opskit.Cluster.Embeddings;

/// <summary>The batcher's queue holds more sentences than it may; the caller should retry later (429).</summary>
internal sealed class QueueFullException(int queued, int capacity)
    : Exception($"{queued} sentences are queued (capacity {capacity}); retry later")
{
    public int Queued { get; } = queued;

    public int Capacity { get; } = capacity;
}
