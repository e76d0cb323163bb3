using System.Collections.Concurrent;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// The sharded aggregation state: <see cref="ShardCount"/> shards, each with one writer. Receive loops parse
/// lines and route each metric by key hash to its shard (<see cref="ShardRouter"/>); a flush queues a snapshot
/// request behind what each shard has already been given, so every metric received before the flush is in it.
/// </summary>
internal sealed class Aggregator : IAsyncDisposable
{
    private readonly ShardWorker[] _workers;
    private readonly ConcurrentQueue<MetricBatch> _pool = new();
    private AggregationSettings _settings;

    public Aggregator(int shardCount, AggregationSettings settings, ReceiveStatistics statistics)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        _settings = settings;
        Statistics = statistics;
        _workers = new ShardWorker[shardCount];
        var sequence = new KeySequence();
        Sequence = sequence;
        for (var i = 0; i < shardCount; i++)
        {
            _workers[i] = new ShardWorker(new MetricShard(sequence) { Settings = settings, Overflowed = CountOverflow }, _pool, capacity: 256, name: $"statsd-shard-{i}");
        }
    }

    public int ShardCount => _workers.Length;

    private void CountOverflow() => Statistics.Add(0, 0, 0, 1, 0, 0);

    /// <summary>Arrival stamps shared by every receive loop and shard (JavaScript key order across shards).</summary>
    public KeySequence Sequence { get; }

    public ReceiveStatistics Statistics { get; }

    public AggregationSettings Settings
    {
        get => Volatile.Read(ref _settings);
        set
        {
            Volatile.Write(ref _settings, value);
            foreach (var worker in _workers)
            {
                worker.Shard.Settings = value;
            }
        }
    }

    /// <summary>A router for one receive loop (not thread-safe; one per loop).</summary>
    public ShardRouter CreateRouter() => new(this);

    internal MetricBatch RentBatch() => _pool.TryDequeue(out var batch) ? batch : new MetricBatch();

    internal void Publish(int shard, MetricBatch batch) => _workers[shard].Publish(batch);

    /// <summary>Takes every shard's interval data (and resets the shards as Etsy does after a flush).</summary>
    public async Task<ShardSnapshot[]> TakeSnapshotsAsync(CancellationToken cancellationToken)
    {
        var tasks = new Task<ShardSnapshot>[_workers.Length];
        for (var i = 0; i < _workers.Length; i++)
        {
            tasks[i] = _workers[i].RunAsync(static shard => shard.TakeSnapshot(), cancellationToken);
        }

        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> on every shard (management commands) and returns the results in shard order.</summary>
    public async Task<T[]> OnEveryShardAsync<T>(Func<MetricShard, T> work, CancellationToken cancellationToken)
    {
        var tasks = new Task<T>[_workers.Length];
        for (var i = 0; i < _workers.Length; i++)
        {
            tasks[i] = _workers[i].RunAsync(work, cancellationToken);
        }

        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Shard index of a key (stable for the life of the process).</summary>
    public int ShardOf(ReadOnlySpan<byte> key) => ShardOfHash(KeyHash.Compute(key), _workers.Length);

    /// <summary>
    /// Shard index from a key's hash: the high 32 bits scaled to the shard count (a multiply, not a division; the
    /// key maps inside a shard use the low 32 bits, so the shard choice does not thin out their buckets).
    /// </summary>
    internal static int ShardOfHash(ulong hash, int shardCount) => (int)(((hash >> 32) * (ulong)(uint)shardCount) >> 32);

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.CompleteAsync().ConfigureAwait(false);
        }
    }
}
