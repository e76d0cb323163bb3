using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Opskit.Statsd.Aggregation;

namespace Opskit.Statsd.Flushing;

/// <summary>
/// Feeds one backend from its own bounded queue on its own task: a slow or failing backend delays only
/// itself, and when it falls a whole queue behind the oldest snapshot is dropped and counted.
/// </summary>
internal sealed class BackendRunner
{
    private const int QueueCapacity = 8;
    private readonly Channel<MetricSnapshot> _queue;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private long _failures;
    private long _dropped;

    public BackendRunner(IStatsdBackend backend, ILogger logger)
    {
        Backend = backend;
        _logger = logger;
        _queue = Channel.CreateBounded<MetricSnapshot>(
            new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest },
            _ => Log.BackendQueueFull(_logger, Backend.Name, Interlocked.Increment(ref _dropped)));
        _loop = Task.Run(RunAsync);
    }

    public IStatsdBackend Backend { get; }

    public long Failures => Interlocked.Read(ref _failures);

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Enqueue(MetricSnapshot snapshot) => _queue.Writer.TryWrite(snapshot);

    /// <summary>No more snapshots; returns when the queued ones are delivered.</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _loop;
    }

    private async Task RunAsync()
    {
        await foreach (var snapshot in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
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
