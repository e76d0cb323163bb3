using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Opskit.Statsd.Admin;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Backends.Console;
using Opskit.Statsd.Backends.File;
using Opskit.Statsd.Backends.Graphite;
using Opskit.Statsd.Backends.Prometheus;
using Opskit.Statsd.Backends.Repeater;
using Opskit.Statsd.Configuration;
using Opskit.Statsd.Flushing;
using Opskit.Statsd.Input;

namespace Opskit.Statsd;

/// <summary>
/// The daemon: configuration → aggregation → backends and flush loop → listeners → management console, then
/// "server is up". Stopping reverses it: listeners close (receive loops hand over what they hold), one final
/// flush goes to every backend, and the backends are given a bounded time to deliver it.
/// </summary>
internal sealed class StatsdServer : IManagementTarget, IAsyncDisposable
{
    private readonly List<UdpInput> _udp = [];
    private readonly List<TcpInput> _tcp = [];
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _startupSeconds;
    private readonly string? _configPath;
    private readonly JsonObject _shownConfig;
    private readonly Lock _configGate = new();
    private StatsdConfig _config;
    private Aggregator _aggregator = null!;
    private FlushScheduler _scheduler = null!;
    private ManagementConsole? _management;
    private FileSystemWatcher? _watcher;
    private volatile bool _sanitize;
    private int _stopped;
    private bool _started;
    private bool _firstFlushApplied;
    private readonly List<IStatsdBackend> _backends = [];

    private StatsdServer(StatsdConfig config, string? configPath, TimeProvider time, ILogger logger)
    {
        _config = config;
        _configPath = configPath;
        _time = time;
        _logger = logger;
        _startupSeconds = (long)TimerStatistics.JsRound(time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        _sanitize = config.KeyNameSanitize;
        HealthStatus = config.HealthStatus;
        // Etsy's `config` command prints the object it loaded first, with the keys Etsy adds to it.
        _shownConfig = config.Raw;
        ApplyEtsyStartupMutations(config);
    }

    public string HealthStatus { get; set; }

    public IReadOnlyList<IPEndPoint> UdpEndPoints => [.. _udp.Select(u => u.LocalEndPoint)];

    public IReadOnlyList<IPEndPoint> TcpEndPoints => [.. _tcp.Select(t => t.LocalEndPoint)];

    public IPEndPoint? ManagementEndPoint => _management?.LocalEndPoint;

    public string? PrometheusUrl { get; private set; }

    internal Aggregator Aggregator => _aggregator;

    internal IReadOnlyList<TcpInput> TcpInputs => _tcp;

    internal ManagementConsole? Management => _management;

    internal FlushScheduler Scheduler => _scheduler;

    internal StatsdConfig Config => _config;

    /// <summary>Starts everything; logs "server is up" once every listener is bound.</summary>
    public static async Task<StatsdServer> StartAsync(
        StatsdConfig config,
        string? configPath,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        TextWriter consoleOutput,
        CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger("statsd");
        var server = new StatsdServer(config, configPath, time, logger);
        try
        {
            await server.StartCoreAsync(loggerFactory, consoleOutput, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    private async Task StartCoreAsync(ILoggerFactory loggerFactory, TextWriter consoleOutput, CancellationToken cancellationToken)
    {
        var config = _config;
        var statistics = new ReceiveStatistics(_startupSeconds);
        _aggregator = new Aggregator(config.AggregationShards, config.ToAggregationSettings(), statistics);

        var backends = _backends;
        RepeaterBackend? repeater = null;
        foreach (var name in config.Backends)
        {
            switch (name)
            {
                case "graphite":
                    backends.Add(new GraphiteBackend(config, _time, _startupSeconds, loggerFactory.CreateLogger("statsd.graphite")));
                    break;
                case "console":
                    backends.Add(new ConsoleBackend(consoleOutput, config.ConsolePrettyprint, _startupSeconds));
                    break;
                case "repeater":
                    repeater = new RepeaterBackend(config.Repeater, config.RepeaterProtocol, loggerFactory.CreateLogger("statsd.repeater"), config.RepeaterTimeoutMs);
                    backends.Add(repeater);
                    break;
                case "file":
                    if (config.FileName is { } fileName)
                    {
                        backends.Add(new FileBackend(fileName, _time, _startupSeconds));
                    }

                    break;
                case "prometheus":
                    PrometheusBackend prometheus;
                    try
                    {
                        prometheus = await PrometheusBackend.StartAsync(config.PrometheusAddress, config.PrometheusPort, _startupSeconds, loggerFactory, cancellationToken).ConfigureAwait(false);
                    }
                    catch (IOException ex)
                    {
                        throw new ListenException($"prometheus HTTP {config.PrometheusAddress}:{config.PrometheusPort}", ex.InnerException?.Message ?? ex.Message, ex);
                    }

                    PrometheusUrl = prometheus.Url;
                    backends.Add(prometheus);
                    break;
            }
        }

        _scheduler = new FlushScheduler(_aggregator, backends, _time, _startupSeconds, loggerFactory.CreateLogger("statsd.flush"), config.FlushQueueBytes)
        {
            AfterFlush = ApplyEtsyFirstFlushMutations,
            ReceiveStats = config.ReceiveStats,
        };

        PacketProcessor NewProcessor() => new(_aggregator, repeater, () => _sanitize, _time, _logger);
        foreach (var server in config.Servers)
        {
            var what = $"{(server.Tcp ? "TCP" : "UDP")} {server.Address}:{server.Port}";
            if (server.Tcp)
            {
                _tcp.Add(Bind(what, () => TcpInput.Start(server, config.TcpLimits, NewProcessor, _logger)));
            }
            else
            {
                _udp.Add(Bind(what, () => UdpInput.Start(server, config.UdpReaders, config.UdpReusePort, config.UdpReceiveBuffer, NewProcessor, _logger)));
            }
        }

        statistics.KernelDrops = () => _udp.Sum(u => u.ReadKernelDrops());
        _management = Bind(
            $"management TCP {config.MgmtAddress}:{config.MgmtPort}",
            () => ManagementConsole.Start(config.MgmtAddress, config.MgmtPort, config.MgmtLimits, this, _logger));
        _scheduler.Start();
        StartWatching();
        _started = true;
        Log.ServerIsUp(_logger);
    }

    /// <summary>Runs a bind and names the listener when it fails (the socket error alone does not say which).</summary>
    private static T Bind<T>(string what, Func<T> bind)
    {
        try
        {
            return bind();
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new ListenException(what, ex.Message, ex);
        }
    }

    /// <summary>Flushes now (tests and shutdown); returns the snapshot every backend received.</summary>
    internal async Task<MetricSnapshot> FlushNowAsync(CancellationToken cancellationToken)
    {
        return await _scheduler.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Re-reads the configuration file (file change with automaticConfigReload, or SIGHUP).</summary>
    public void Reload()
    {
        if (_configPath is null)
        {
            return;
        }

        try
        {
            Log.ReadingConfig(_logger, _configPath);
            var fresh = StatsdConfig.Load(_configPath);
            var previous = _config;
            // Etsy re-reads only what it reads at flush or per packet: delete options, gauge TTL, prefixStats,
            // keyNameSanitize, calculatedTimerMetrics, histogram. Listeners, flushInterval, percentThreshold
            // and backends keep their start-up values. Aggregated data stays where it is.
            var settings = fresh.ToAggregationSettings() with
            {
                FlushIntervalMs = previous.FlushIntervalMs,
                PercentThresholds = previous.PercentThresholds,
            };
            _aggregator.Settings = settings;
            _sanitize = fresh.KeyNameSanitize;
            if (fresh.PrefixStats != previous.PrefixStats)
            {
                _aggregator.Statistics.ResetInterval();
            }

            _config = fresh;
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            Log.ReloadFailed(_logger, ex.Message);
        }
    }

    private void StartWatching()
    {
        if (_configPath is null)
        {
            return;
        }

        var full = Path.GetFullPath(_configPath);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
        };
        _watcher.Changed += (_, _) => ReloadIfAutomatic();
        _watcher.Created += (_, _) => ReloadIfAutomatic();
        _watcher.Renamed += (_, _) => ReloadIfAutomatic();
        _watcher.EnableRaisingEvents = true;
    }

    private void ReloadIfAutomatic()
    {
        if (_config.AutomaticConfigReload)
        {
            Reload();
        }
    }

    /// <summary>SIGTERM / Ctrl-C / <c>opskit up</c> stop: stop receiving, final flush, bounded wait.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        if (!_started)
        {
            // A start that failed (issue 20): release what was opened, without a final flush and without the
            // "stopping"/"stopped" lines, which would claim a running daemon stopped.
            await ReleaseFailedStartAsync().ConfigureAwait(false);
            return;
        }

        Log.Stopping(_logger);
        HealthStatus = "down";
        _watcher?.Dispose();
        foreach (var udp in _udp)
        {
            await udp.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var tcp in _tcp)
        {
            await tcp.DisposeAsync().ConfigureAwait(false);
        }

        if (_management is not null)
        {
            await _management.DisposeAsync().ConfigureAwait(false);
        }

        if (_scheduler is not null)
        {
            await _scheduler.FinalFlushAsync(TimeSpan.FromMilliseconds(_config.ShutdownTimeoutMs)).ConfigureAwait(false);
            await _scheduler.DisposeAsync().ConfigureAwait(false);
        }

        if (_aggregator is not null)
        {
            await _aggregator.DisposeAsync().ConfigureAwait(false);
        }

        Log.Stopped(_logger);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private async Task ReleaseFailedStartAsync()
    {
        _watcher?.Dispose();
        foreach (var udp in _udp)
        {
            await udp.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var tcp in _tcp)
        {
            await tcp.DisposeAsync().ConfigureAwait(false);
        }

        if (_management is not null)
        {
            await _management.DisposeAsync().ConfigureAwait(false);
        }

        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync().ConfigureAwait(false); // disposes the backends
        }
        else
        {
            foreach (var backend in _backends)
            {
                await backend.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (_aggregator is not null)
        {
            await _aggregator.DisposeAsync().ConfigureAwait(false);
        }
    }

    // ---- management console ----

    public string ConfigText()
    {
        lock (_configGate)
        {
            // Etsy helpers.writeConfig: "\n", then "key: value" or "key > sub: value" per property.
            var sb = new StringBuilder("\n");
            foreach (var (key, value) in _shownConfig)
            {
                if (value is JsonObject or JsonArray)
                {
                    IEnumerable<KeyValuePair<string, JsonNode?>> children = value is JsonObject o
                        ? o
                        : ((JsonArray)value).Select((v, i) => new KeyValuePair<string, JsonNode?>(i.ToString(System.Globalization.CultureInfo.InvariantCulture), v));
                    foreach (var (sub, subValue) in children)
                    {
                        sb.Append(key).Append(" > ").Append(sub).Append(": ").Append(JsValues.Text(subValue)).Append('\n');
                    }
                }
                else if (value is not null)
                {
                    sb.Append(key).Append(": ").Append(JsValues.Text(value)).Append('\n');
                }
            }

            return sb.ToString();
        }
    }

    public string StatsText()
    {
        var now = (long)TimerStatistics.JsRound(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        var statistics = _aggregator.Statistics;
        var sb = new StringBuilder();
        sb.Append("uptime: ").Append(now - _startupSeconds).Append('\n');
        sb.Append("messages.last_msg_seen: ").Append(now - statistics.LastMessageSeen).Append('\n');
        sb.Append("messages.bad_lines_seen: ").Append(statistics.BadLines).Append('\n');
        // Beyond Etsy (issue 4): what the receive path saw, including kernel drops on our sockets.
        sb.Append("receive.datagrams: ").Append(statistics.Datagrams).Append('\n');
        sb.Append("receive.tcp_packets: ").Append(statistics.TcpPackets).Append('\n');
        sb.Append("receive.lines: ").Append(statistics.Lines).Append('\n');
        sb.Append("receive.bad_lines: ").Append(statistics.BadLines).Append('\n');
        sb.Append("receive.dogstatsd_events: ").Append(statistics.Extensions).Append('\n');
        sb.Append("receive.kernel_drops: ").Append(statistics.KernelDrops?.Invoke() ?? 0).Append('\n');
        foreach (var runner in _scheduler.Runners)
        {
            foreach (var (stat, value) in runner.Backend.Status())
            {
                var shown = stat.StartsWith("last_", StringComparison.Ordinal) ? now - value : value;
                sb.Append(runner.Backend.Name).Append('.').Append(stat).Append(": ").Append(Protocol.JsNumber.ToJsString(shown)).Append('\n');
            }

            // Beyond Etsy (issue 21): flushes dropped because this backend fell behind by more than flushQueueBytes.
            sb.Append(runner.Backend.Name).Append(".queue_dropped_flushes: ").Append(runner.Dropped).Append('\n');
            sb.Append(runner.Backend.Name).Append(".queue_dropped_bytes: ").Append(runner.DroppedBytes).Append('\n');
        }

        return sb.Append("END\n\n").ToString();
    }

    private async Task<ShardSnapshot[]> PeekAsync(CancellationToken cancellationToken) =>
        await _aggregator.OnEveryShardAsync(static s => s.Peek(), cancellationToken).ConfigureAwait(false);

    public async Task<JsObject> CountersAsync(CancellationToken cancellationToken)
    {
        var shards = await PeekAsync(cancellationToken).ConfigureAwait(false);
        var counters = SnapshotBuilder.Merge(shards, static s => s.Counters, static s => s.CounterOrder);
        var merged = SnapshotBuilder.Build([new ShardSnapshot([.. counters], [], [], [])], _aggregator.Statistics.PeekInterval(), [], _aggregator.Settings, 0);
        var result = new JsObject();
        foreach (var counter in merged.Counters)
        {
            result.Add(counter.Name, counter.Value);
        }

        return result;
    }

    public async Task<JsObject> TimersAsync(CancellationToken cancellationToken)
    {
        var shards = await PeekAsync(cancellationToken).ConfigureAwait(false);
        var result = new JsObject();
        foreach (var timer in SnapshotBuilder.Merge(shards, static s => s.Timers, static s => s.TimerOrder))
        {
            result.Add(timer.Name, timer.Values.Select(v => (object?)v).ToArray());
        }

        return result;
    }

    public async Task<JsObject> GaugesAsync(CancellationToken cancellationToken)
    {
        var shards = await PeekAsync(cancellationToken).ConfigureAwait(false);
        var result = new JsObject();
        foreach (var gauge in SnapshotBuilder.Merge(shards, static s => s.Gauges, static s => s.GaugeOrder))
        {
            result.Add(gauge.Name, gauge.Value);
        }

        if (_scheduler.TimestampLag is { } lag)
        {
            result.Add(lag.Name, lag.Value);
        }

        return result;
    }

    public async Task<JsObject> SetsAsync(CancellationToken cancellationToken)
    {
        var shards = await PeekAsync(cancellationToken).ConfigureAwait(false);
        var result = new JsObject();
        foreach (var set in SnapshotBuilder.Merge(shards, static s => s.Sets, static s => s.SetOrder))
        {
            result.Add(set.Name, set.Members.Select(m => (object?)m).ToArray());
        }

        return result;
    }

    public async Task<List<DeletedKey>> DeleteAsync(MetricType type, DeletePlan plan, CancellationToken cancellationToken)
    {
        // Names the listings show that no shard holds: Etsy's internal counters lead the counters object and
        // timestamp_lag ends the gauges. Etsy deletes them from its object (they come back at the next packet
        // or flush); they are listed as deleted here too, and a client's key of the same name is removed.
        string[] shown = type switch
        {
            MetricType.Counter => [.. InternalCounterNames()],
            MetricType.Gauge when _scheduler.TimestampLag is { } lag => [lag.Name],
            _ => [],
        };
        var deleted = new List<DeletedKey>();
        for (var i = 0; i < shown.Length; i++)
        {
            var bucket = plan.Match(shown[i]);
            if (bucket >= 0)
            {
                deleted.Add(new DeletedKey(bucket, type == MetricType.Counter ? long.MinValue + i : long.MaxValue, shown[i]));
            }
        }

        // WaitAsync: a client that leaves gets its connection closed at once, even while the delete still waits
        // behind other work in a shard's queue (the shard then checks the token and removes nothing).
        var perShard = await _aggregator.OnEveryShardAsync(s => s.DeleteMatching(type, plan.Match, cancellationToken), cancellationToken)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var shard in perShard)
        {
            foreach (var key in shard)
            {
                if (Array.IndexOf(shown, key.Name) < 0)
                {
                    deleted.Add(key);
                }
            }
        }

        return deleted;
    }

    private string[] InternalCounterNames()
    {
        var prefix = _aggregator.Settings.PrefixStats;
        return [prefix + ".bad_lines_seen", prefix + ".packets_received", prefix + ".metrics_received"];
    }

    // ---- Etsy's visible mutations of its config object (shown by the `config` command) ----

    private void ApplyEtsyStartupMutations(StatsdConfig config)
    {
        lock (_configGate)
        {
            var raw = _shownConfig;
            raw["gaugesMaxTTL"] = (double)config.GaugesMaxTtl;
            var idle = JsValues.Truthy(raw["deleteIdleStats"]);
            if (!raw.ContainsKey("deleteIdleStats"))
            {
                raw["deleteIdleStats"] = false;
            }

            if (idle)
            {
                foreach (var key in (string[])["deleteCounters", "deleteTimers", "deleteSets", "deleteGauges"])
                {
                    if (!raw.ContainsKey(key))
                    {
                        raw[key] = true;
                    }
                }
            }

            raw["flushInterval"] = config.FlushIntervalMs;
            if (config.Backends.Contains("graphite") && !raw.ContainsKey("graphite"))
            {
                raw["graphite"] = new JsonObject();
            }
        }
    }

    private void ApplyEtsyFirstFlushMutations()
    {
        lock (_configGate)
        {
            if (_firstFlushApplied)
            {
                return;
            }

            _firstFlushApplied = true;
            foreach (var key in (string[])["deleteCounters", "deleteTimers", "deleteSets", "deleteGauges"])
            {
                _shownConfig[key] = JsValues.Truthy(_shownConfig[key]);
            }
        }
    }
}
