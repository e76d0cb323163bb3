using System.Diagnostics;
using System.Threading.Channels;
using Opskit.Cluster.Diagnostics;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// Dynamic batching across requests. Requests tokenize on their own threads and enqueue a job; a worker
/// takes the waiting sentences in arrival order (a window of up to four batches, so nobody starves),
/// sorts that window by length so padding stays small, cuts it into batches by a token budget
/// (longest × count) and a maximum count, runs each batch once on the shared session and writes every
/// vector straight into its request's buffer. Sentences of a request whose client went away are dropped
/// before they reach the model. Admission is bounded by <see cref="BatcherOptions.QueueCapacity"/>.
/// </summary>
internal sealed class EmbeddingBatcher : IAsyncDisposable
{
    private readonly EmbeddingModel _model;
    private readonly BatcherOptions _options;
    private readonly ClusterMetrics _metrics;
    private readonly Channel<EmbeddingJob> _channel;
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _stopping = new();
    private int _queued;
    private long _sequence;
    private long _batchId;

    public EmbeddingBatcher(EmbeddingModel model, BatcherOptions options, ClusterMetrics metrics)
    {
        _model = model;
        _options = options;
        _metrics = metrics;
        _channel = Channel.CreateUnbounded<EmbeddingJob>(new UnboundedChannelOptions
        {
            SingleReader = options.Workers == 1,
            SingleWriter = false,
        });
        metrics.ObserveQueueDepth(() => Volatile.Read(ref _queued));
        _workers = new Task[options.Workers];
        for (var i = 0; i < _workers.Length; i++)
        {
            var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _workers[i] = exited.Task;
            new Thread(() => Run(exited)) { IsBackground = true, Name = $"opskit-cluster-batcher-{i}" }.Start();
        }
    }

    public EmbeddingModel Model => _model;

    public BatcherOptions Options => _options;

    /// <summary>Sentences waiting for the model.</summary>
    public int QueueDepth => Volatile.Read(ref _queued);

    /// <summary>
    /// Tokenizes <paramref name="sentences"/> and queues them. Await <see cref="EmbeddingJob.Completion"/>,
    /// read the vectors, then call <see cref="EmbeddingJob.Release"/>.
    /// </summary>
    /// <exception cref="QueueFullException">The queue holds too many sentences already.</exception>
    public EmbeddingJob Enqueue(IReadOnlyList<string> sentences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var tokens = new int[sentences.Count][];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = _model.Tokenize(sentences[i]);
        }

        return Enqueue(tokens, cancellationToken);
    }

    /// <summary>Queues already tokenized sentences (see <see cref="Enqueue(IReadOnlyList{string}, CancellationToken)"/>).</summary>
    public EmbeddingJob Enqueue(int[][] tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var job = new EmbeddingJob(tokens, _model.Dimension, cancellationToken);
        if (tokens.Length == 0)
        {
            job.CompleteEmpty();
            return job;
        }

        var queued = Interlocked.Add(ref _queued, tokens.Length);
        // A request bigger than the whole queue is still admitted when nothing else waits, so it cannot starve.
        if (queued > _options.QueueCapacity && queued != tokens.Length)
        {
            Interlocked.Add(ref _queued, -tokens.Length);
            _metrics.Rejected();
            job.Release();
            job.Release();
            throw new QueueFullException(queued - tokens.Length, _options.QueueCapacity);
        }

        if (!_channel.Writer.TryWrite(job))
        {
            Interlocked.Add(ref _queued, -tokens.Length);
            throw new ObjectDisposedException(nameof(EmbeddingBatcher));
        }

        return job;
    }

    /// <summary>Convenience: embeds and copies the vectors out (tests, warm-up, benchmarks).</summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> sentences, CancellationToken cancellationToken)
    {
        var job = Enqueue(sentences, cancellationToken);
        try
        {
            await job.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            var vectors = new float[sentences.Count][];
            for (var i = 0; i < vectors.Length; i++)
            {
                vectors[i] = job.Vector(i).ToArray();
            }

            return vectors;
        }
        finally
        {
            job.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// The worker loop, on a dedicated thread: a model call blocks for up to hundreds of milliseconds, and
    /// doing that on a thread-pool thread would starve Kestrel of the pool's few threads on a small machine.
    /// </summary>
    private void Run(TaskCompletionSource exited)
    {
        try
        {
            Loop();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            exited.TrySetResult();
        }
    }

    private void Loop()
    {
        var reader = _channel.Reader;
        var pending = new List<Pending>(_options.MaxBatchSize * 8);
        var window = new List<Pending>(_options.MaxBatchSize * 4);
        var batchTokens = new int[_options.MaxBatchSize][];
        var batchEntries = new Pending[_options.MaxBatchSize];
        var output = new float[_options.MaxBatchSize * _model.Dimension];
        var norms = new float[_options.MaxBatchSize];
        var stopping = _stopping.Token;
        var head = 0;
        var lastRound = 0;
        while (!stopping.IsCancellationRequested)
        {
            if (head == pending.Count)
            {
                pending.Clear();
                head = 0;
                if (!Wait(reader, stopping))
                {
                    return;
                }

                Drain(reader, pending);

                // Wait for company only when the last round had company: a lone client gains nothing from
                // waiting, and an idle gap before a model call measurably slows that call down.
                if (lastRound > 1 || pending.Count > 1)
                {
                    WaitForMore(reader, pending, stopping);
                }
            }
            else
            {
                Drain(reader, pending);
            }

            // The oldest sentences first, a window at a time; sorted by length inside the window.
            window.Clear();
            while (head < pending.Count && window.Count < _options.MaxBatchSize * 4)
            {
                var entry = pending[head++];
                if (entry.Job.CancellationToken.IsCancellationRequested)
                {
                    Drop(entry);
                    continue;
                }

                window.Add(entry);
            }

            lastRound = window.Count;
            window.Sort(static (a, b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.Sequence.CompareTo(b.Sequence));
            var start = 0;
            while (start < window.Count)
            {
                var count = 0;
                var longest = 0;
                while (start + count < window.Count && count < _options.MaxBatchSize)
                {
                    var length = Math.Max(longest, window[start + count].Length);
                    if (count > 0 && length * (count + 1) > _options.TokenBudget)
                    {
                        break;
                    }

                    longest = length;
                    count++;
                }

                RunBatch(window, start, count, longest, batchTokens, batchEntries, output, norms);
                start += count;
            }

            if (head > 4096)
            {
                pending.RemoveRange(0, head);
                head = 0;
            }
        }
    }

    /// <summary>Blocks the worker thread until work arrives; false when the channel is completed.</summary>
    private static bool Wait(ChannelReader<EmbeddingJob> reader, CancellationToken cancellationToken)
    {
        var wait = reader.WaitToReadAsync(cancellationToken);
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void Drain(ChannelReader<EmbeddingJob> reader, List<Pending> pending)
    {
        while (reader.TryRead(out var job))
        {
            for (var i = 0; i < job.Tokens.Length; i++)
            {
                pending.Add(new Pending(job, i, job.Tokens[i].Length, _sequence++));
            }
        }
    }

    /// <summary>An idle batcher waits briefly so that concurrent requests arriving together share a batch.</summary>
    private void WaitForMore(ChannelReader<EmbeddingJob> reader, List<Pending> pending, CancellationToken stopping)
    {
        if (_options.MaxWait <= TimeSpan.Zero || _options.MaxBatchSize == 1)
        {
            return;
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(_options.MaxWait.TotalSeconds * Stopwatch.Frequency);
        while (pending.Count < _options.MaxBatchSize)
        {
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
            try
            {
                if (!Wait(reader, timeout.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                return;
            }

            Drain(reader, pending);
        }
    }

    private void RunBatch(List<Pending> window, int start, int count, int longest, int[][] batchTokens, Pending[] entries, float[] output, float[] norms)
    {
        long tokens = 0;
        for (var i = 0; i < count; i++)
        {
            entries[i] = window[start + i];
            batchTokens[i] = entries[i].Job.Tokens[entries[i].Index];
            tokens += entries[i].Length;
        }

        var began = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            if (entries[i].Job.QueueTime == TimeSpan.Zero)
            {
                entries[i].Job.MarkStarted(began);
                _metrics.Queued(Stopwatch.GetElapsedTime(entries[i].Job.EnqueuedAt, began).TotalSeconds);
            }
        }

        try
        {
            _model.Embed(batchTokens.AsSpan(0, count), output, norms);
        }
        catch (Exception ex) when (ex is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or InvalidOperationException or OutOfMemoryException)
        {
            for (var i = 0; i < count; i++)
            {
                entries[i].Job.Fail(ex);
                Interlocked.Decrement(ref _queued);
            }

            return;
        }

        var elapsed = Stopwatch.GetTimestamp() - began;
        _metrics.BatchCompleted(count, tokens, (long)longest * count, Stopwatch.GetElapsedTime(0, elapsed).TotalSeconds);
        var dimension = _model.Dimension;
        var batchId = Interlocked.Increment(ref _batchId);
        for (var i = 0; i < count; i++)
        {
            var entry = entries[i];
            output.AsSpan(i * dimension, dimension).CopyTo(entry.Job.Destination(entry.Index));
            entry.Job.SetNorm(entry.Index, norms[i]);
            entry.Job.AddCompute(batchId, elapsed);
        }

        Interlocked.Add(ref _queued, -count);
        for (var i = 0; i < count; i++)
        {
            entries[i].Job.SentenceDone();
            entries[i] = default;
            batchTokens[i] = [];
        }
    }

    private void Drop(Pending entry)
    {
        Interlocked.Decrement(ref _queued);
        _metrics.Dropped(1);
        entry.Job.SentenceDone();
    }

    private readonly record struct Pending(EmbeddingJob Job, int Index, int Length, long Sequence);
}
