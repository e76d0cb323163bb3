using System.Buffers;
using System.Diagnostics;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// One request's sentences on their way through the batcher. The vector buffer is pooled and shared by
/// the batcher (writing) and the request (reading); it goes back to the pool when both have released it,
/// so a client that disconnects mid-batch cannot have its buffer reused under a running batch.
/// </summary>
internal sealed class EmbeddingJob
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private float[]? _vectors;
    private float[]? _norms;
    private int _remaining;
    private int _owners = 2;
    private long _startedAt;
    private long _computeTicks;

    public EmbeddingJob(int[][] tokens, int dimension, CancellationToken cancellationToken)
    {
        Tokens = tokens;
        Dimension = dimension;
        CancellationToken = cancellationToken;
        _remaining = tokens.Length;
        _vectors = ArrayPool<float>.Shared.Rent(Math.Max(1, tokens.Length * dimension));
        _norms = ArrayPool<float>.Shared.Rent(Math.Max(1, tokens.Length));
        EnqueuedAt = Stopwatch.GetTimestamp();
    }

    public int[][] Tokens { get; }

    public int Dimension { get; }

    public CancellationToken CancellationToken { get; }

    public long EnqueuedAt { get; }

    public Task Completion => _done.Task;

    /// <summary>Time from enqueue to the start of the first batch holding one of these sentences.</summary>
    public TimeSpan QueueTime => _startedAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(EnqueuedAt, _startedAt);

    /// <summary>Model time of every batch that held one of these sentences.</summary>
    public TimeSpan ComputeTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _computeTicks));

    /// <summary>The vector of sentence <paramref name="index"/>; valid after <see cref="Completion"/> until <see cref="Release"/>.</summary>
    public ReadOnlySpan<float> Vector(int index) => _vectors.AsSpan(index * Dimension, Dimension);

    /// <summary>
    /// The L2 norm the pooled vector of sentence <paramref name="index"/> had before normalization
    /// (<see cref="Vector"/> × this = the raw pooled vector); same validity as <see cref="Vector"/>.
    /// </summary>
    public float Norm(int index) => _norms![index];

    internal Span<float> Destination(int index) => _vectors.AsSpan(index * Dimension, Dimension);

    internal void SetNorm(int index, float norm) => _norms![index] = norm;

    /// <summary>Index of the batch worker that started the first batch holding one of these sentences (-1 before).</summary>
    internal int Worker { get; private set; } = -1;

    /// <summary>Records when, and on which worker, the first batch holding one of these sentences began; true only for the call that did.</summary>
    internal bool MarkStarted(long timestamp, int worker)
    {
        if (Interlocked.CompareExchange(ref _startedAt, timestamp, 0) != 0)
        {
            return false;
        }

        Worker = worker;
        return true;
    }

    /// <summary>Adds one batch's model time; the batcher calls it once per job per batch.</summary>
    internal void AddCompute(long ticks) => Interlocked.Add(ref _computeTicks, ticks);

    /// <summary>Called by the batcher per sentence written or dropped; the last one completes the job.</summary>
    internal void SentenceDone(int count = 1)
    {
        if (Interlocked.Add(ref _remaining, -count) == 0)
        {
            if (CancellationToken.IsCancellationRequested)
            {
                _done.TrySetCanceled(CancellationToken);
            }
            else
            {
                _done.TrySetResult();
            }

            Release();
        }
    }

    internal void Fail(Exception exception)
    {
        _done.TrySetException(exception);
    }

    /// <summary>Completes an empty job at once.</summary>
    internal void CompleteEmpty()
    {
        _done.TrySetResult();
        Release();
    }

    /// <summary>Gives up one owner's claim on the vector buffer; the last owner returns it to the pool.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _owners) == 0 && Interlocked.Exchange(ref _vectors, null) is { } vectors)
        {
            ArrayPool<float>.Shared.Return(vectors);
            if (Interlocked.Exchange(ref _norms, null) is { } norms)
            {
                ArrayPool<float>.Shared.Return(norms);
            }
        }
    }
}
