using Microsoft.Extensions.Logging;
using Opskit.Statsd.Aggregation;

namespace Opskit.Statsd.Flushing;

/// <summary>
/// Feeds one backend from its own queue on its own task: a slow or failing backend delays only itself. The
/// queue of flushes waiting behind the one being delivered is bounded by count and by (estimated) bytes; past
/// either bound the oldest waiting flush is dropped, counted and logged, as carbon-relay drops what its
/// destination queue cannot hold. The newest flush is always kept (issue 21: 5M keys queued behind a flush
/// slower than the interval took 5.5 GB).
/// </summary>
internal sealed class BackendRunner
{
    private const int QueueCapacity = 8;
    private readonly Lock _gate = new();
    private readonly Queue<MetricSnapshot> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly ILogger _logger;
    private readonly long _maxBytes;
    private readonly Task _loop;
    private long _queuedBytes;
    private bool _completed;
    private long _failures;
    private long _dropped;
    private long _droppedBytes;

    public BackendRunner(IStatsdBackend backend, ILogger logger, long maxQueuedBytes = Configuration.StatsdConfig.DefaultFlushQueueBytes)
    {
        Backend = backend;
        _logger = logger;
        _maxBytes = maxQueuedBytes;
        _loop = Task.Run(RunAsync);
    }

    public IStatsdBackend Backend { get; }

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Flushes dropped from the queue because the backend was behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Estimated bytes of the flushes dropped from the queue.</summary>
    public long DroppedBytes => Interlocked.Read(ref _droppedBytes);

    /// <summary>Estimated bytes of the flushes waiting (not counting the one being delivered).</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_gate)
            {
                return _queuedBytes;
            }
        }
    }

    public void Enqueue(MetricSnapshot snapshot)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _queue.Enqueue(snapshot);
            _queuedBytes += snapshot.EstimatedBytes;
            while (_queue.Count > 1 && (_queue.Count > QueueCapacity || _queuedBytes > _maxBytes))
            {
                var dropped = _queue.Dequeue();
                _queuedBytes -= dropped.EstimatedBytes;
                var flushes = Interlocked.Increment(ref _dropped);
                var bytes = Interlocked.Add(ref _droppedBytes, dropped.EstimatedBytes);
                Log.BackendQueueFull(_logger, Backend.Name, flushes, bytes, QueueCapacity, _maxBytes);
            }
        }

        _signal.Release();
    }

    /// <summary>No more snapshots; returns when the queued ones are delivered.</summary>
    public Task CompleteAsync()
    {
        lock (_gate)
        {
            _completed = true;
        }

        _signal.Release();
        return _loop;
    }

    private bool TryTake(out MetricSnapshot snapshot, out bool completed)
    {
        lock (_gate)
        {
            completed = _completed;
            if (_queue.TryDequeue(out snapshot!))
            {
                _queuedBytes -= snapshot.EstimatedBytes;
                return true;
            }

            return false;
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            // One release per enqueue (and one for completion); a dropped flush leaves a release with nothing to take.
            await _signal.WaitAsync().ConfigureAwait(false);
            if (!TryTake(out var snapshot, out var completed))
            {
                if (completed)
                {
                    return;
                }

                continue;
            }

            try
            {
                await Backend.FlushAsync(snapshot, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // a backend failure must not stop the others or the next interval
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _failures);
                Log.BackendFailed(_logger, Backend.Name, ex);
            }
        }
    }
}
