using Microsoft.Extensions.Logging;
using Opskit.Statsd.Aggregation;

namespace Opskit.Statsd.Flushing;

/// <summary>
/// Etsy's flush loop: fires on the grid <c>startup + k * flushInterval</c> (getFlushTimeout), takes every
/// shard's interval data, computes one <see cref="MetricSnapshot"/> and hands it to every backend's queue.
/// Receiving never waits for any of it.
/// </summary>
internal sealed class FlushScheduler : IAsyncDisposable
{
    private readonly Aggregator _aggregator;
    private readonly IReadOnlyList<BackendRunner> _runners;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _startupSeconds;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private Task _loop = Task.CompletedTask;
    private long _oldTimestamp;
    private NamedValue? _timestampLag;
    private long _armed;

    public FlushScheduler(
        Aggregator aggregator,
        IReadOnlyList<IStatsdBackend> backends,
        TimeProvider time,
        long startupSeconds,
        ILogger logger,
        long queueBytes = Configuration.StatsdConfig.DefaultFlushQueueBytes)
    {
        _aggregator = aggregator;
        _time = time;
        _logger = logger;
        _startupSeconds = startupSeconds;
        var runners = new List<BackendRunner>(backends.Count);
        foreach (var backend in backends)
        {
            runners.Add(new BackendRunner(backend, logger, queueBytes));
        }

        _runners = runners;
    }

    public IReadOnlyList<BackendRunner> Runners => _runners;

    /// <summary>Beyond Etsy: add receive-path totals to the internal metrics (config <c>receiveStats</c>).</summary>
    public bool ReceiveStats { get; init; }

    /// <summary>Called after every flush (the server updates what its <c>config</c> command shows).</summary>
    public Action? AfterFlush { get; set; }

    /// <summary>Etsy's timestamp_lag gauge (set from the second flush on), for the management <c>gauges</c> command.</summary>
    public NamedValue? TimestampLag => _timestampLag;

    /// <summary>
    /// How many times the loop has registered its wait for the next flush with the time provider. A test that
    /// advances a fake clock waits for this first: advancing before the wait is registered would move the due
    /// time along with the clock.
    /// </summary>
    internal long Armed => Interlocked.Read(ref _armed);

    /// <summary>Starts the flush loop; the first flush is due on the Etsy grid from now.</summary>
    public void Start()
    {
        // Computed here, not in the loop, so the first due time does not depend on when the loop task runs.
        var firstDue = _time.GetUtcNow().ToUnixTimeMilliseconds() + NextDelay().TotalMilliseconds;
        _loop = Task.Run(() => RunAsync(firstDue, _stop.Token));
    }

    private async Task RunAsync(double due, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var wait = due - _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (wait > 0)
                {
                    var delay = Task.Delay(TimeSpan.FromMilliseconds(wait), _time, cancellationToken);
                    Interlocked.Increment(ref _armed);
                    await delay.ConfigureAwait(false);
                }

                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            // Next point on the grid; after a stall longer than an interval, re-align from now as Etsy does.
            var interval = _aggregator.Settings.FlushIntervalMs;
            due += interval;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (due <= now - interval)
            {
                due = now + NextDelay().TotalMilliseconds;
            }
        }
    }

    /// <summary>Etsy getFlushTimeout: the time to the next multiple of the interval since startup.</summary>
    internal TimeSpan NextDelay()
    {
        var interval = _aggregator.Settings.FlushIntervalMs;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var delta = now - (_startupSeconds * 1000.0);
        var attempt = TimerStatistics.JsRound(delta / interval) + 1;
        var timeout = (_startupSeconds * 1000.0) + (attempt * interval) - now;
        return TimeSpan.FromMilliseconds(Math.Max(timeout, 1));
    }

    /// <summary>One flush: snapshot every shard and hand the result to every backend. Returns the snapshot.</summary>
    public async Task<MetricSnapshot> FlushAsync(CancellationToken cancellationToken)
    {
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var settings = _aggregator.Settings;
            var timestamp = (long)TimerStatistics.JsRound(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            if (_oldTimestamp > 0)
            {
                _timestampLag = new NamedValue(settings.PrefixStats + ".timestamp_lag", timestamp - _oldTimestamp - (settings.FlushIntervalMs / 1000));
            }

            _oldTimestamp = timestamp;
            var shards = await _aggregator.TakeSnapshotsAsync(cancellationToken).ConfigureAwait(false);
            var counts = _aggregator.Statistics.TakeInterval();
            NamedValue[] extra = _timestampLag is { } lag ? [lag] : [];
            NamedValue[]? receive = null;
            if (ReceiveStats)
            {
                var statistics = _aggregator.Statistics;
                receive =
                [
                    new NamedValue("receive.datagrams", statistics.Datagrams),
                    new NamedValue("receive.tcp_packets", statistics.TcpPackets),
                    new NamedValue("receive.lines", statistics.Lines),
                    new NamedValue("receive.bad_lines", statistics.BadLines),
                    new NamedValue("receive.kernel_drops", statistics.KernelDrops?.Invoke() ?? 0),
                ];
            }

            var snapshot = SnapshotBuilder.Build(shards, counts, extra, settings, timestamp, receive);
            foreach (var runner in _runners)
            {
                runner.Enqueue(snapshot);
            }

            Log.Flushed(_logger, snapshot.Counters.Count, snapshot.Timers.Count, snapshot.Gauges.Count, snapshot.Sets.Count);
            AfterFlush?.Invoke();
            return snapshot;
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>
    /// Shutdown: stop the timer, flush what was received, and wait (bounded) for every backend to deliver.
    /// Etsy loses the last interval here; we do not.
    /// </summary>
    public async Task FinalFlushAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        var tasks = new Task[_runners.Count];
        for (var i = 0; i < _runners.Count; i++)
        {
            tasks[i] = _runners[i].CompleteAsync();
        }

        try
        {
            await Task.WhenAll(tasks).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            for (var i = 0; i < _runners.Count; i++)
            {
                if (!tasks[i].IsCompleted)
                {
                    Log.FinalFlushTimedOut(_logger, _runners[i].Backend.Name, timeout);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        foreach (var runner in _runners)
        {
            await runner.Backend.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _flushGate.Dispose();
    }
}
