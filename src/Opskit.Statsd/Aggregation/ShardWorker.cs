using System.Collections.Concurrent;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// The single writer of one <see cref="MetricShard"/>: a dedicated thread that drains blocks from a bounded
/// queue and runs control work (flush snapshot, management commands) in the same order, so no lock guards
/// the shard.
/// </summary>
/// <remarks>
/// Why not a channel drained by a thread-pool task: profiled at 25k packets/s, the pool workers woken once
/// per published block (and spinning before they sleep again) burned about 7× the CPU of the receive loops.
/// Here the worker sleeps on a monitor and is woken only when it was idle, when <see cref="WakeThreshold"/>
/// blocks are waiting, or for control work; otherwise it lingers up to <see cref="LingerMilliseconds"/> and
/// takes everything queued in one go. Control work is never delayed, and a flush still sees every block
/// published before it (the queue is FIFO).
/// </remarks>
internal sealed class ShardWorker
{
    /// <summary>Queued blocks that wake a lingering worker at once.</summary>
    internal const int WakeThreshold = 16;

    /// <summary>Longest a published block waits for the worker when fewer than <see cref="WakeThreshold"/> are queued.</summary>
    internal const int LingerMilliseconds = 2;

    private readonly ConcurrentQueue<MetricBatch> _pool;
    private readonly int _capacity;
    private readonly object _gate = new(); // a monitor, not a Lock: the worker waits on it
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Queue<ShardItem> _queue = new();
    private Queue<ShardItem> _draining = new();
    private ReaderState _reader = ReaderState.Running;
    private int _blockedWriters;
    private int _pendingControl;
    private bool _completed;

    public ShardWorker(MetricShard shard, ConcurrentQueue<MetricBatch> pool, int capacity, string name = "statsd-shard")
    {
        Shard = shard;
        _pool = pool;
        _capacity = capacity;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    private enum ReaderState
    {
        Running,
        Idle,
        Lingering,
    }

    public MetricShard Shard { get; }

    /// <summary>Hands a filled block over; blocks the calling receive loop while the shard is behind (bounded memory).</summary>
    public void Publish(MetricBatch batch)
    {
        lock (_gate)
        {
            while (_queue.Count >= _capacity && !_completed)
            {
                _blockedWriters++;
                Monitor.Wait(_gate);
                _blockedWriters--;
            }

            if (_completed)
            {
                throw new InvalidOperationException("The shard worker has stopped.");
            }

            _queue.Enqueue(new ShardItem(batch, null));
            if (_reader == ReaderState.Idle || (_reader == ReaderState.Lingering && _queue.Count >= WakeThreshold))
            {
                _reader = ReaderState.Running;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on the shard's thread after everything published before it.</summary>
    public Task<T> RunAsync<T>(Func<MetricShard, T> work, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var item = new ShardItem(null, shard =>
        {
            try
            {
                completion.TrySetResult(work(shard));
            }
#pragma warning disable CA1031 // the caller receives the exception through the task
            catch (Exception ex)
#pragma warning restore CA1031
            {
                completion.TrySetException(ex);
            }
        });
        lock (_gate)
        {
            if (_completed)
            {
                return Task.FromException<T>(new InvalidOperationException("The shard worker has stopped."));
            }

            // Control work is not held back by the capacity bound: it is rare and must not wait behind a full queue.
            _queue.Enqueue(item);
            _pendingControl++;
            _reader = ReaderState.Running;
            Monitor.PulseAll(_gate);
        }

        return completion.Task;
    }

    /// <summary>Stops after draining what was published.</summary>
    public Task CompleteAsync()
    {
        lock (_gate)
        {
            _completed = true;
            _reader = ReaderState.Running;
            Monitor.PulseAll(_gate);
        }

        return _stopped.Task;
    }

    private void Run()
    {
        try
        {
            while (TakeWork())
            {
                while (_draining.TryDequeue(out var item))
                {
                    if (item.Batch is { } batch)
                    {
                        batch.ApplyTo(Shard);
                        batch.Reset();
                        _pool.Enqueue(batch);
                    }
                    else
                    {
                        item.Control!(Shard);
                    }
                }
            }

            _stopped.TrySetResult();
        }
#pragma warning disable CA1031 // surfaced to whoever awaits the stop
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _stopped.TrySetException(ex);
        }
    }

    /// <summary>Waits for work and swaps the queues; false once completed and drained.</summary>
    private bool TakeWork()
    {
        lock (_gate)
        {
            while (true)
            {
                var count = _queue.Count;
                if (count >= WakeThreshold || _pendingControl > 0 || _blockedWriters > 0 || (_completed && count > 0))
                {
                    break;
                }

                if (count == 0)
                {
                    if (_completed)
                    {
                        return false;
                    }

                    _reader = ReaderState.Idle;
                    Monitor.Wait(_gate);
                    continue;
                }

                _reader = ReaderState.Lingering;
                if (!Monitor.Wait(_gate, LingerMilliseconds))
                {
                    break;
                }
            }

            _reader = ReaderState.Running;
            (_queue, _draining) = (_draining, _queue);
            _pendingControl = 0;
            if (_blockedWriters > 0)
            {
                Monitor.PulseAll(_gate);
            }

            return true;
        }
    }

    private readonly record struct ShardItem(MetricBatch? Batch, Action<MetricShard>? Control);
}
