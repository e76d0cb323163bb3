using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Flushing;
using Opskit.Statsd.Tests.Support;
using Opskit.Testing;

namespace Opskit.Statsd.Tests.Flushing;

/// <summary>
/// Issue 21: flushes that wait for a busy backend are bounded by bytes, not only by count (5M keys queued behind a
/// flush slower than the interval took 5.5 GB); the oldest waiting one is dropped, counted and logged.
/// </summary>
public sealed class BackendRunnerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Waiting_flushes_past_the_byte_bound_drop_the_oldest_and_say_so()
    {
        var backend = new GatedBackend();
        using var logs = new ListLoggerProvider();
        var runner = new BackendRunner(backend, logs.CreateLogger("test"), maxQueuedBytes: 250);
        runner.Enqueue(Snapshot(1, bytes: 100));
        await Eventually.AssertAsync(() => backend.Started == 1, Timeout, "the first flush to reach the backend");

        // The backend is busy with flush 1; 2, 3 and 4 wait. Three of 100 bytes pass the 250-byte bound: 2 goes.
        runner.Enqueue(Snapshot(2, bytes: 100));
        runner.Enqueue(Snapshot(3, bytes: 100));
        Assert.Equal(0, runner.Dropped);
        runner.Enqueue(Snapshot(4, bytes: 100));
        Assert.Equal(1, runner.Dropped);
        Assert.Equal(100, runner.DroppedBytes);
        Assert.Equal(200, runner.QueuedBytes);
        Assert.Contains(logs.Messages, m => m.Contains("graphite is behind", StringComparison.Ordinal) && m.Contains("100 bytes dropped", StringComparison.Ordinal));

        backend.Open();
        await runner.CompleteAsync().WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.Equal([1L, 3L, 4L], backend.Delivered);
    }

    [Fact]
    public async Task The_newest_flush_is_kept_even_when_it_alone_is_over_the_bound()
    {
        var backend = new GatedBackend();
        using var logs = new ListLoggerProvider();
        var runner = new BackendRunner(backend, logs.CreateLogger("test"), maxQueuedBytes: 50);
        runner.Enqueue(Snapshot(1, bytes: 10));
        await Eventually.AssertAsync(() => backend.Started == 1, Timeout, "the first flush to reach the backend");
        runner.Enqueue(Snapshot(2, bytes: 500));
        runner.Enqueue(Snapshot(3, bytes: 500));
        Assert.Equal(1, runner.Dropped);

        backend.Open();
        await runner.CompleteAsync().WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.Equal([1L, 3L], backend.Delivered);
    }

    private static MetricSnapshot Snapshot(long timestamp, long bytes) => new()
    {
        Timestamp = timestamp,
        Counters = [],
        CounterRates = [],
        Timers = [],
        TimerData = [],
        Gauges = [],
        Sets = [],
        PercentThresholds = [],
        StatsdMetrics = [],
        PrefixStats = "statsd",
        FlushIntervalMs = 10_000,
        EstimatedBytes = bytes,
    };

    /// <summary>A backend that holds every flush until <see cref="Open"/> is called, and records what it got.</summary>
    private sealed class GatedBackend : IStatsdBackend
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<long> _delivered = [];
        private int _started;

        public string Name => "graphite";

        public int Started => Volatile.Read(ref _started);

        public List<long> Delivered
        {
            get
            {
                lock (_delivered)
                {
                    return [.. _delivered];
                }
            }
        }

        public void Open() => _gate.TrySetResult();

        public async Task FlushAsync(MetricSnapshot snapshot, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _started);
            await _gate.Task;
            lock (_delivered)
            {
                _delivered.Add(snapshot.Timestamp);
            }
        }

        public IEnumerable<KeyValuePair<string, double>> Status() => [];

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
