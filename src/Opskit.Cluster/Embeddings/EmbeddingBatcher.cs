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
/// before they reach the model. Admission is bounded by <see cref="BatcherOptions.QueueCapacity"/> and by time:
/// a request that the tokens queued ahead of it would hold back longer than <see cref="BatcherOptions.AdmissionBudget"/>
/// (at the measured model time per token, spread over the workers) is refused at once.
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
    private int _running; // workers that took a batch and are not back in TakeBatch yet (under _gate)
    private int _returning; // of those, the ones whose model call is over: they look for work before they sleep
    private int _idle; // workers asleep in TakeBatch (written under _gate, read by Enqueue)
    private int _unread; // jobs queued in the channel and not yet drained by the former
    private int _head;
    private int _lastRound;
    private int _queued;
    private long _queuedTokens; // tokens of the queued sentences: the work ahead of a new request
    private double _secondsPerToken; // moving average of model time per token on one worker; 0 until a batch ran
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
            var worker = i;
            new Thread(() => Run(worker, exited)) { IsBackground = true, Name = $"opskit-cluster-batcher-{i}" }.Start();
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

        long jobTokens = 0;
        foreach (var sentence in tokens)
        {
            jobTokens += sentence.Length;
        }

        var queued = Interlocked.Add(ref _queued, tokens.Length);
        var tokensAhead = Interlocked.Add(ref _queuedTokens, jobTokens) - jobTokens;
        // A request bigger than the whole queue is still admitted when nothing else waits, so it cannot starve.
        if (queued > _options.QueueCapacity && queued != tokens.Length)
        {
            Unqueue(tokens.Length, jobTokens);
            _metrics.Rejected();
            job.Release();
            job.Release();
            throw new QueueFullException(queued - tokens.Length, _options.QueueCapacity);
        }

        if (ExpectedWait(tokensAhead) is var wait && _options.AdmissionBudget > TimeSpan.Zero && wait > _options.AdmissionBudget)
        {
            Unqueue(tokens.Length, jobTokens);
            _metrics.Rejected();
            job.Release();
            job.Release();
            throw new QueueFullException(wait, _options.AdmissionBudget);
        }

        // Counted before the write, so an idle worker that sees the count sees work (or waits for it briefly).
        Interlocked.Increment(ref _unread);
        if (!_channel.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref _unread);
            Unqueue(tokens.Length, jobTokens);
            job.Release();
            job.Release();
            throw new ObjectDisposedException(nameof(EmbeddingBatcher));
        }

        WakeIdleWorker();
        return job;
    }

    /// <summary>
    /// How long the work queued ahead would keep a new request from starting: its tokens at the measured model
    /// time per token, spread over the workers. Zero before the first batch has been measured.
    /// </summary>
    public TimeSpan ExpectedWait(long tokensAhead) =>
        TimeSpan.FromSeconds(tokensAhead * Volatile.Read(ref _secondsPerToken) / _options.Workers);

    /// <summary>
    /// The admission check before any work on a request (reading, parsing, tokenizing its body): when what is
    /// queued already would hold any new request back longer than the budget, the request can be refused at once.
    /// </summary>
    public bool OverBudget(out QueueFullException? refusal)
    {
        refusal = null;
        if (_options.AdmissionBudget <= TimeSpan.Zero)
        {
            return false;
        }

        var wait = ExpectedWait(Volatile.Read(ref _queuedTokens));
        if (wait <= _options.AdmissionBudget)
        {
            return false;
        }

        _metrics.Rejected();
        refusal = new QueueFullException(wait, _options.AdmissionBudget);
        return true;
    }

    private void Unqueue(int sentences, long tokens)
    {
        Interlocked.Add(ref _queued, -sentences);
        Interlocked.Add(ref _queuedTokens, -tokens);
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
            Interlocked.Decrement(ref _unread);
            long jobTokens = 0;
            foreach (var sentence in job.Tokens)
            {
                jobTokens += sentence.Length;
            }

            Unqueue(job.Tokens.Length, jobTokens);
            job.Fail(stopped);
        }
    }

    private void Abandon(Pending entry, ObjectDisposedException stopped)
    {
        Unqueue(1, entry.Length);
        entry.Job.Fail(stopped);
    }

    /// <summary>
    /// The worker loop, on a dedicated thread: a model call blocks for up to hundreds of milliseconds, and
    /// doing that on a thread-pool thread would starve Kestrel of the pool's few threads on a small machine.
    /// </summary>
    private void Run(int worker, TaskCompletionSource exited)
    {
        try
        {
            var tokens = new int[_options.MaxBatchSize][];
            var output = new float[_options.MaxBatchSize * _model.Dimension];
            var norms = new float[_options.MaxBatchSize];
            var ranOne = false;
            while (TakeBatch(ranOne) is { } batch)
            {
                ranOne = true;
                try
                {
                    RunBatch(worker, batch, tokens, output, norms);
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
    /// The next batch for this worker (<paramref name="ranOne"/>: it is back from running one): one already
    /// formed, or, when none is and no other worker is forming, this worker forms the next window's batches
    /// (waiting for work outside the lock), keeps the first and hands the rest to the others. Null when the
    /// batcher is stopping.
    /// </summary>
    /// <remarks>
    /// While another worker runs a batch, an idle worker takes up forming (and listening for new work) only when
    /// work is already waiting; otherwise it sleeps until <see cref="WakeIdleWorker"/> or formed batches wake
    /// it. So a lone client's requests stay on the worker that ran the last one, whose thread and caches are
    /// warm, instead of the workers taking turns (measured in docs/cluster.md), and under load a request that
    /// arrives while every other worker is busy wakes a sleeping one at once.
    /// </remarks>
    private Batch? TakeBatch(bool ranOne)
    {
        while (true)
        {
            lock (_gate)
            {
                if (ranOne)
                {
                    _running--;
                    Interlocked.Decrement(ref _returning);
                    ranOne = false;
                }

                while (true)
                {
                    if (_ready.TryDequeue(out var ready))
                    {
                        _running++;
                        // Work this worker leaves unformed by taking a formed batch goes to a sleeping one.
                        if (!_forming && _idle > 0 && HasUnformedWork())
                        {
                            Monitor.Pulse(_gate);
                        }

                        return ready;
                    }

                    if (_completed || _stopping.IsCancellationRequested)
                    {
                        return null;
                    }

                    // Counted idle before looking for work, so that Enqueue (count the job, then read this) and
                    // this worker (count itself, then look) cannot both miss each other.
                    Interlocked.Increment(ref _idle);
                    if (!_forming && (_running == 0 || HasUnformedWork()))
                    {
                        Interlocked.Decrement(ref _idle);
                        _forming = true;
                        break;
                    }

                    Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _idle);
                }
            }

            Batch? mine = null;
            var formed = false;
            try
            {
                formed = FormBatches(out mine);
            }
            finally
            {
                lock (_gate)
                {
                    _forming = false;
                    _completed |= !formed;
                    if (mine is not null)
                    {
                        _running++;
                    }

                    if (!formed || _ready.Count > 0 || HasUnformedWork())
                    {
                        Monitor.PulseAll(_gate);
                    }
                }
            }

            if (mine is not null)
            {
                return mine;
            }
        }
    }

    /// <summary>Sentences that no batch holds yet: left over from the last window, or still in the channel. Under <see cref="_gate"/>, with nobody forming.</summary>
    private bool HasUnformedWork() => _head < _pending.Count || Volatile.Read(ref _unread) > 0;

    /// <summary>
    /// After a request is queued: when no worker is forming batches (so none listens on the channel), wakes an
    /// idle one to form them, so a request that arrives while the others run a batch does not wait for them.
    /// </summary>
    private void WakeIdleWorker()
    {
        // A worker on its way back from a model call will see the job itself; waking another would make the
        // workers take turns on a lone client.
        if (Volatile.Read(ref _forming) || Volatile.Read(ref _returning) > 0 || Volatile.Read(ref _idle) == 0)
        {
            return;
        }

        lock (_gate)
        {
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>
    /// Waits for sentences, takes the oldest window of them (up to four batches, so nobody starves), sorts it by
    /// length so padding stays small and cuts it into batches that go to <see cref="_ready"/>. Runs on one
    /// worker at a time (<see cref="_forming"/>). The first batch goes to <paramref name="mine"/>, for the
    /// forming worker to run without another worker taking it first. False when the channel is completed.
    /// </summary>
    private bool FormBatches(out Batch? mine)
    {
        mine = null;
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
                    var batch = new Batch(entries, count, longest);
                    if (mine is null)
                    {
                        mine = batch;
                    }
                    else
                    {
                        _ready.Enqueue(batch);
                    }

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
            Interlocked.Decrement(ref _unread);
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

    private void RunBatch(int worker, Batch batch, int[][] batchTokens, float[] output, float[] norms)
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
            if (entries[i].Job.MarkStarted(began, worker))
            {
                _metrics.Queued(Stopwatch.GetElapsedTime(entries[i].Job.EnqueuedAt, began).TotalSeconds);
            }
        }

        Exception? failure = null;
        try
        {
            _model.Embed(batchTokens.AsSpan(0, count), output, norms);
        }
#pragma warning disable CA1031 // any failure of a model call fails that batch's requests, never the worker thread (and the process)
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        // Before any of these requests completes: a client's next request, sent as soon as its answer is out,
        // is left to this worker (see WakeIdleWorker), which looks for work before it sleeps.
        Interlocked.Increment(ref _returning);
        if (failure is not null)
        {
            for (var i = 0; i < count; i++)
            {
                entries[i].Job.Fail(failure);
            }

            Unqueue(count, tokens);
            return;
        }

        var elapsed = Stopwatch.GetTimestamp() - began;
        if (tokens > 0)
        {
            // The admission estimate follows the machine's current speed (load from neighbours included).
            var perToken = Stopwatch.GetElapsedTime(0, elapsed).TotalSeconds / tokens;
            var average = Volatile.Read(ref _secondsPerToken);
            Volatile.Write(ref _secondsPerToken, average == 0 ? perToken : (0.8 * average) + (0.2 * perToken));
        }

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

        Unqueue(count, tokens);
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
        Unqueue(1, entry.Length);
        _metrics.Dropped(1);
        entry.Job.SentenceDone();
    }

    private readonly record struct Pending(EmbeddingJob Job, int Index, int Length, long Sequence);

    /// <summary>Sentences of similar length that run in one model call.</summary>
    private sealed record Batch(Pending[] Entries, int Count, int Longest);
}
