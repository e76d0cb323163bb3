using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Opskit.Edge.Configuration;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Opskit.Edge.Proxy;

/// <summary>
/// Varnish-style backend probes: every <c>interval</c> a GET of <c>url</c> with a <c>timeout</c>; the destination is
/// healthy while at least <c>threshold</c> of the last <c>window</c> probes were good; at start <c>initial</c>
/// probes count as good (default threshold − 1: sick until the first good probe). Destinations come from YARP's
/// live cluster state, so clusters added or changed by a reload are probed too.
/// </summary>
internal sealed partial class HealthProbes : BackgroundService
{
    private readonly IProxyStateLookup _proxyState;
    private readonly EdgeRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ProbeState> _states = new(StringComparer.OrdinalIgnoreCase);
    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false });

    public HealthProbes(IProxyStateLookup proxyState, EdgeRuntime runtime, TimeProvider time, ILogger<HealthProbes> logger)
    {
        _proxyState = proxyState;
        _runtime = runtime;
        _time = time;
        _logger = logger;
    }

    /// <summary>True unless a probe says the destination (by address) is sick.</summary>
    public bool IsHealthy(DestinationState destination) =>
        !_states.TryGetValue(StateKey(destination), out var state) || state.Healthy;

    /// <summary>True when at least one destination of the list is healthy.</summary>
    public bool AnyHealthy(IReadOnlyList<DestinationState> destinations)
    {
        for (var i = 0; i < destinations.Count; i++)
        {
            if (IsHealthy(destinations[i]))
            {
                return true;
            }
        }

        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new Dictionary<string, (ProbeOptions Options, CancellationTokenSource Stop)>(StringComparer.OrdinalIgnoreCase);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Reconcile(running, stoppingToken);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var (_, (_, stop)) in running)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                stop.Dispose();
            }
        }
    }

    /// <summary>Starts a probe loop per probed destination and stops loops whose destination or probe went away.</summary>
    private void Reconcile(Dictionary<string, (ProbeOptions Options, CancellationTokenSource Stop)> running, CancellationToken stoppingToken)
    {
        var probes = _runtime.Current.Options.Probes;
        var wanted = new Dictionary<string, (ProbeOptions, DestinationState)>(StringComparer.OrdinalIgnoreCase);
        foreach (var cluster in _proxyState.GetClusters())
        {
            if (!probes.TryGetValue(cluster.ClusterId, out var probe))
            {
                continue;
            }

            foreach (var destination in cluster.Destinations.Values)
            {
                wanted[StateKey(destination)] = (probe, destination);
            }
        }

        foreach (var key in running.Keys.ToArray())
        {
            // A reload builds new option objects: an unchanged probe keeps its loop and window (restarting it would
            // make the destination sick until its next probe and log a false "back healthy", issue #20).
            if (!wanted.TryGetValue(key, out var want) || !SameProbe(want.Item1, running[key].Options))
            {
                running[key].Stop.Cancel();
                running[key].Stop.Dispose();
                running.Remove(key);
                if (want.Item1 is null)
                {
                    _states.TryRemove(key, out _);
                }
            }
        }

        foreach (var (key, (probe, destination)) in wanted)
        {
            if (running.ContainsKey(key))
            {
                continue;
            }

            var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);

            // A changed probe of a known destination goes on from the results so far, not from "initial".
            var state = new ProbeState(probe, _states.TryGetValue(key, out var previous) ? previous : null);
            _states[key] = state;
            running[key] = (probe, stop);
            _ = ProbeLoopAsync(key, new Uri(destination.Model.Config.Address), probe, state, stop.Token);
        }
    }

    private async Task ProbeLoopAsync(string key, Uri address, ProbeOptions probe, ProbeState state, CancellationToken cancellationToken)
    {
        var target = new Uri(address, probe.Url);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(probe.IntervalSeconds), _time);
        try
        {
            do
            {
                var good = await ProbeOnceAsync(target, probe, cancellationToken).ConfigureAwait(false);
                var (wasHealthy, isHealthy) = state.Record(good);
                if (wasHealthy != isHealthy)
                {
                    if (isHealthy && state.FirstChange)
                    {
                        LogFirstHealthy(_logger, key, state.GoodCount, probe.Window);
                    }
                    else if (isHealthy)
                    {
                        LogHealthy(_logger, key, state.GoodCount, probe.Window);
                    }
                    else
                    {
                        LogSick(_logger, key, state.GoodCount, probe.Window);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> ProbeOnceAsync(Uri target, ProbeOptions probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(probe.TimeoutSeconds));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, target);
            using var response = await _client.SendAsync(request, timeout.Token).ConfigureAwait(false);
            return (int)response.StatusCode == probe.ExpectedStatus;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static string StateKey(DestinationState destination) => destination.Model.Config.Address;

    private static bool SameProbe(ProbeOptions a, ProbeOptions b) =>
        ReferenceEquals(a, b)
        || (a.Url == b.Url && a.IntervalSeconds.Equals(b.IntervalSeconds) && a.TimeoutSeconds.Equals(b.TimeoutSeconds) && a.Window == b.Window
            && a.Threshold == b.Threshold && a.Initial == b.Initial && a.ExpectedStatus == b.ExpectedStatus);

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "probe: {Destination} went sick ({Good}/{Window} good)")]
    private static partial void LogSick(ILogger logger, string destination, int good, int window);

    [LoggerMessage(Level = LogLevel.Information, Message = "probe: {Destination} healthy ({Good}/{Window} good)")]
    private static partial void LogFirstHealthy(ILogger logger, string destination, int good, int window);

    [LoggerMessage(Level = LogLevel.Information, Message = "probe: {Destination} back healthy ({Good}/{Window} good)")]
    private static partial void LogHealthy(ILogger logger, string destination, int good, int window);

    /// <summary>The sliding window of one destination: a bit per probe, newest in bit 0.</summary>
    internal sealed class ProbeState
    {
        private readonly int _window;
        private readonly int _threshold;
        private readonly Lock _lock = new();
        private ulong _bits;
        private volatile bool _healthy;
        private int _changes;

        public ProbeState(ProbeOptions options, ProbeState? previous = null)
        {
            _window = options.Window;
            _threshold = options.Threshold;
            var initial = options.Initial ?? Math.Max(0, options.Threshold - 1);
            _bits = previous is not null ? previous._bits : initial >= 64 ? ulong.MaxValue : (1UL << initial) - 1;
            _healthy = GoodCount >= _threshold;
            _changes = previous?._changes ?? 0;
        }

        public bool Healthy => _healthy;

        /// <summary>True for the first change of state: leaving the initial state is not "back" to anything.</summary>
        public bool FirstChange => Volatile.Read(ref _changes) <= 1;

        public int GoodCount => System.Numerics.BitOperations.PopCount(_bits & Mask);

        private ulong Mask => _window >= 64 ? ulong.MaxValue : (1UL << _window) - 1;

        public (bool Was, bool Is) Record(bool good)
        {
            lock (_lock)
            {
                var was = _healthy;
                _bits = (_bits << 1) | (good ? 1UL : 0UL);
                _healthy = GoodCount >= _threshold;
                if (was != _healthy)
                {
                    _changes++;
                }

                return (was, _healthy);
            }
        }
    }
}
