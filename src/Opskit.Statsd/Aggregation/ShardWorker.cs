using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// The single writer of one <see cref="MetricShard"/>: drains blocks from a bounded channel and runs control
/// work (flush snapshot, management commands) in the same order, so no lock guards the shard.
/// </summary>
internal sealed class ShardWorker
{
    private readonly Channel<ShardItem> _channel;
    private readonly ConcurrentQueue<MetricBatch> _pool;
    private readonly Task _loop;

    public ShardWorker(MetricShard shard, ConcurrentQueue<MetricBatch> pool, int capacity)
    {
        Shard = shard;
        _pool = pool;
        _channel = Channel.CreateBounded<ShardItem>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    public MetricShard Shard { get; }

    /// <summary>Hands a filled block over; blocks the calling receive loop while the shard is behind (bounded memory).</summary>
    public void Publish(MetricBatch batch)
    {
        var item = new ShardItem(batch, null);
        if (!_channel.Writer.TryWrite(item))
        {
            _channel.Writer.WriteAsync(item).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Runs <paramref name="work"/> on the shard's thread after everything published before it.</summary>
    public Task<T> RunAsync<T>(Func<MetricShard, T> work, CancellationToken cancellationToken = default)
    {
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
        var write = _channel.Writer.WriteAsync(item, cancellationToken);
        return write.IsCompletedSuccessfully ? completion.Task : AwaitWrite(write, completion.Task);

        static async Task<T> AwaitWrite(ValueTask write, Task<T> result)
        {
            await write.ConfigureAwait(false);
            return await result.ConfigureAwait(false);
        }
    }

    /// <summary>Stops after draining what was published.</summary>
    public Task CompleteAsync()
    {
        _channel.Writer.TryComplete();
        return _loop;
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
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
    }

    private readonly record struct ShardItem(MetricBatch? Batch, Action<MetricShard>? Control);
}
