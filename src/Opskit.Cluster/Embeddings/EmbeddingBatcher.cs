using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Opskit.Cluster.Diagnostics;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// Dynamic batching across requests. Requests tokenize on their own threads and enqueue a job. One worker
/// at a time takes the waiting sentences in arrival order (a window of up to four batches, so nobody
/// starves), sorts that window by length so padding stays small and cuts it into batches by a token budget
/// (longest × count) and a maximum count, spread over the workers. Each worker runs its batch on the shared
/// session (several workers call it at once, each on its own core) and writes every vector straight into
/// its request's buffer. Sentences of a request whose client went away are dropped
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
    private readonly object _gate = new();
    private readonly Queue<Batch> _ready = new();
    private readonly List<Pending> _pending;
    private readonly List<Pending> _window;
    private bool _forming;
    private bool _completed;
    private int _head;
    private int _lastRound;
    private int _queued;
    private long _sequence;

    public EmbeddingBatcher(EmbeddingModel model, BatcherOptions options, ClusterMetrics metrics)
    {
        _model = model;
        _options = options;
        _metrics = metrics;
        _channel = Channel.CreateUnbounded<EmbeddingJob>(new UnboundedChannelOptions
        {
            SingleReader = true, // only the worker that holds _forming reads
            SingleWriter = false,
        });
        metrics.ObserveQueueDepth(() => Volatile.Read(ref _queued));
        _pending = new List<Pending>(options.MaxBatchSize * 8);
        _window = new List<Pending>(options.MaxBatchSize * 4);
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
            job.Release();
            job.Release();
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

        FailLeftovers(new ObjectDisposedException(nameof(EmbeddingBatcher), "the service stopped before these sentences reached the model"));
        _stopping.Dispose();
    }

    /// <summary>
    /// Once every worker has exited, fails the jobs still waiting (formed batches, the pending window, the channel)
    /// so that no request waits forever for a batcher that is gone.
    /// </summary>
    private void FailLeftovers(ObjectDisposedException stopped)
    {
        lock (_gate)
        {
            while (_ready.TryDequeue(out var batch))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    Abandon(batch.Entries[i], stopped);
                }

                ArrayPool<Pending>.Shared.Return(batch.Entries, clearArray: true);
            }
        }

        for (var i = _head; i < _pending.Count; i++)
        {
            Abandon(_pending[i], stopped);
        }

        _pending.Clear();
        _head = 0;
        while (_channel.Reader.TryRead(out var job))
        {
            Interlocked.Add(ref _queued, -job.Tokens.Length);
            job.Fail(stopped);
        }
    }

    private void Abandon(Pending entry, ObjectDisposedException stopped)
    {
        Interlocked.Decrement(ref _queued);
        entry.Job.Fail(stopped);
    }

    /// <summary>
    /// The worker loop, on a dedicated thread: a model call blocks for up to hundreds of milliseconds, and
    /// doing that on a thread-pool thread would starve Kestrel of the pool's few threads on a small machine.
    /// </summary>
    private void Run(TaskCompletionSource exited)
    {
        try
        {
            var tokens = new int[_options.MaxBatchSize][];
            var output = new float[_options.MaxBatchSize * _model.Dimension];
            var norms = new float[_options.MaxBatchSize];
            while (TakeBatch() is { } batch)
            {
                try
                {
                    RunBatch(batch, tokens, output, norms);
                }
                finally
                {
                    ArrayPool<Pending>.Shared.Return(batch.Entries, clearArray: true);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            lock (_gate)
            {
                _completed = true;
                Monitor.PulseAll(_gate);
            }

            exited.TrySetResult();
        }
    }

    /// <summary>
    /// The next batch for this worker: one already formed, or, when none is and no other worker is forming,
    /// this worker forms the next window's batches (waiting for work outside the lock) and hands the rest to
    /// the others. Null when the batcher is stopping.
    /// </summary>
    private Batch? TakeBatch()
    {
        while (true)
        {
            lock (_gate)
            {
                while (true)
                {
                    if (_ready.TryDequeue(out var ready))
                    {
                        return ready;
                    }

                    if (_completed || _stopping.IsCancellationRequested)
                    {
                        return null;
                    }

                    if (!_forming)
                    {
                        _forming = true;
                        break;
                    }

                    Monitor.Wait(_gate);
                }
            }

            var formed = false;
            try
            {
                formed = FormBatches();
            }
            finally
            {
                lock (_gate)
                {
                    _forming = false;
                    _completed |= !formed;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    /// <summary>
    /// Waits for sentences, takes the oldest window of them (up to four batches, so nobody starves), sorts it by
    /// length so padding stays small and cuts it into batches that go to <see cref="_ready"/>. Runs on one
    /// worker at a time (<see cref="_forming"/>). False when the channel is completed.
    /// </summary>
    private bool FormBatches()
    {
        var reader = _channel.Reader;
        var stopping = _stopping.Token;
        while (true)
        {
            if (_head == _pending.Count)
            {
                _pending.Clear();
                _head = 0;
                if (!Wait(reader, stopping))
                {
                    return false;
                }

                Drain(reader, _pending);
                // Wait for company only when the last round had company: a lone client gains nothing from
                // waiting, and an idle gap before a model call measurably slows that call down.
                if (_lastRound > 1 || _pending.Count > 1)
                {
                    WaitForMore(reader, _pending, stopping);
                }
            }
            else
            {
                Drain(reader, _pending);
            }

            _window.Clear();
            while (_head < _pending.Count && _window.Count < _options.MaxBatchSize * 4)
            {
                var entry = _pending[_head++];
                if (entry.Job.CancellationToken.IsCancellationRequested)
                {
                    Drop(entry);
                    continue;
                }

                _window.Add(entry);
            }

            if (_head > 4096)
            {
                _pending.RemoveRange(0, _head);
                _head = 0;
            }

            _lastRound = _window.Count;
            if (_window.Count == 0)
            {
                continue;
            }

            _window.Sort(static (a, b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.Sequence.CompareTo(b.Sequence));
            // Spread a small window over the workers: each runs its batch on its own core, so two half
            // batches finish sooner than one full batch while the other worker idles.
            var target = Math.Min(_options.MaxBatchSize, Math.Max(1, (_window.Count + _options.Workers - 1) / _options.Workers));
            var start = 0;
            lock (_gate)
            {
                while (start < _window.Count)
                {
                    var count = 0;
                    var longest = 0;
                    while (start + count < _window.Count && count < target)
                    {
                        var length = Math.Max(longest, _window[start + count].Length);
                        if (count > 0 && length * (count + 1) > _options.TokenBudget)
                        {
                            break;
                        }

                        longest = length;
                        count++;
                    }

                    var entries = ArrayPool<Pending>.Shared.Rent(count);
                    _window.CopyTo(start, entries, 0, count);
                    _ready.Enqueue(new Batch(entries, count, longest));
                    start += count;
                }
            }

            return true;
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

    private void RunBatch(Batch batch, int[][] batchTokens, float[] output, float[] norms)
    {
        var entries = batch.Entries;
        var count = batch.Count;
        var longest = batch.Longest;
        long tokens = 0;
        for (var i = 0; i < count; i++)
        {
            batchTokens[i] = entries[i].Job.Tokens[entries[i].Index];
            tokens += entries[i].Length;
        }

        var began = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            // Several workers may start batches of one job at once: only the one that marks it counts it.
            if (entries[i].Job.MarkStarted(began))
            {
                _metrics.Queued(Stopwatch.GetElapsedTime(entries[i].Job.EnqueuedAt, began).TotalSeconds);
            }
        }

        try
        {
            _model.Embed(batchTokens.AsSpan(0, count), output, norms);
        }
#pragma warning disable CA1031 // any failure of a model call fails that batch's requests, never the worker thread (and the process)
        catch (Exception ex)
#pragma warning restore CA1031
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
        for (var i = 0; i < count; i++)
        {
            var entry = entries[i];
            output.AsSpan(i * dimension, dimension).CopyTo(entry.Job.Destination(entry.Index));
            entry.Job.SetNorm(entry.Index, norms[i]);
            if (FirstOfItsJob(entries, i))
            {
                entry.Job.AddCompute(elapsed);
            }
        }

        Interlocked.Add(ref _queued, -count);
        for (var i = 0; i < count; i++)
        {
            entries[i].Job.SentenceDone();
            batchTokens[i] = [];
        }
    }

    /// <summary>True when no earlier entry of the batch belongs to the same job (a batch holds at most a few dozen).</summary>
    private static bool FirstOfItsJob(Pending[] entries, int index)
    {
        for (var j = 0; j < index; j++)
        {
            if (ReferenceEquals(entries[j].Job, entries[index].Job))
            {
                return false;
            }
        }

        return true;
    }

    private void Drop(Pending entry)
    {
        Interlocked.Decrement(ref _queued);
        _metrics.Dropped(1);
        entry.Job.SentenceDone();
    }

    private readonly record struct Pending(EmbeddingJob Job, int Index, int Length, long Sequence);

    /// <summary>Sentences of similar length that run in one model call.</summary>
    private sealed record Batch(Pending[] Entries, int Count, int Longest);
}
