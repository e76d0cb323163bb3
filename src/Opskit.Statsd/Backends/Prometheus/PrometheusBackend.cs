using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Opskit.Core.Hosting;
using Opskit.Core.Metrics;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Flushing;

namespace Opskit.Statsd.Backends.Prometheus;

/// <summary>
/// Beyond Etsy: the flushed values on an HTTP <c>/metrics</c> endpoint in the Prometheus text format, bound to
/// loopback unless <c>prometheus.address</c> says otherwise. Counters are running totals (<c>_total</c>), timers
/// are summaries with one quantile per positive <c>percentThreshold</c> (the <c>upper_N</c> value of the last
/// flush) plus running <c>_sum</c>/<c>_count</c>, gauges are gauges, sets are gauges of the last flush's count.
/// Graphite tags (<c>;k=v</c>) become labels.
/// </summary>
internal sealed class PrometheusBackend : IStatsdBackend
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, double> _counterTotals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimerState> _timers = new(StringComparer.Ordinal);
    private Dictionary<string, double> _gauges = new(StringComparer.Ordinal);
    private Dictionary<string, double> _sets = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private double _lastFlush;

    private PrometheusBackend(WebApplication app, long startupSeconds)
    {
        _app = app;
        _lastFlush = startupSeconds; // as Etsy's backends: `stats` before the first flush shows the uptime (issue 20)
    }

    public string Name => "prometheus";

    /// <summary>Where the endpoint listens, e.g. <c>http://127.0.0.1:9102/metrics</c>.</summary>
    public string Url { get; private set; } = string.Empty;

    public static async Task<PrometheusBackend> StartAsync(string address, int port, long startupSeconds, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var builder = OpskitWebHost.CreateBuilder(new OpskitWebHostOptions { LoggerFactory = loggerFactory });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(address), port));
        var app = builder.Build();
        var backend = new PrometheusBackend(app, startupSeconds);
        app.MapGet("/metrics", (HttpContext context) =>
        {
            context.Response.ContentType = PrometheusTextBuilder.ContentType;
            return context.Response.WriteAsync(backend.Render(), context.RequestAborted);
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Urls.FirstOrDefault() ?? $"http://{address}:{port}";
        backend.Url = bound.TrimEnd('/') + "/metrics";
        return backend;
    }

    public IEnumerable<KeyValuePair<string, double>> Status() => [new("last_flush", _lastFlush)];

    public Task FlushAsync(MetricSnapshot snapshot, CancellationToken cancellationToken)
    {
        var gauges = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var gauge in snapshot.Gauges)
        {
            gauges[gauge.Name] = gauge.Value;
        }

        var sets = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var set in snapshot.Sets)
        {
            sets[set.Name] = set.Members.Length;
        }

        lock (_gate)
        {
            foreach (var counter in snapshot.Counters)
            {
                _counterTotals[counter.Name] = _counterTotals.GetValueOrDefault(counter.Name) + counter.Value;
            }

            for (var i = 0; i < snapshot.Timers.Count; i++)
            {
                var raw = snapshot.Timers[i];
                var data = snapshot.TimerData[i];
                if (!_timers.TryGetValue(raw.Name, out var state))
                {
                    state = new TimerState();
                    _timers[raw.Name] = state;
                }

                foreach (var value in raw.Values)
                {
                    state.Sum += value;
                }

                state.Count += raw.Values.Length;
                state.Quantiles.Clear();
                if (raw.Values.Length == 0)
                {
                    // No observations this interval: the quantiles are unknown (NaN), the totals stay.
                    foreach (var pct in snapshot.PercentThresholds)
                    {
                        if (pct > 0)
                        {
                            state.Quantiles.Add((pct / 100, double.NaN));
                        }
                    }

                    continue;
                }

                foreach (var pct in snapshot.PercentThresholds)
                {
                    if (pct <= 0)
                    {
                        continue;
                    }

                    var name = "upper_" + TimerStatistics.CleanPercent(pct);
                    foreach (var stat in data.Stats)
                    {
                        if (stat.Name == name)
                        {
                            state.Quantiles.Add((pct / 100, stat.Value));
                        }
                    }
                }
            }

            _gauges = gauges;
            _sets = sets;
            _lastFlush = snapshot.Timestamp;
        }

        return Task.CompletedTask;
    }

    internal string Render()
    {
        // Keys that differ only in their tags (or in characters Prometheus does not allow) are one family: the
        // exposition format allows one # TYPE line per family, so samples are grouped before anything is written.
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var (key, total) in _counterTotals)
            {
                var (name, labels) = Split(key);
                Add(families, name + "_total", "counter", "statsd counter: running total since start").Add(name + "_total", labels, total, sum: true);
            }

            foreach (var (key, state) in _timers)
            {
                var (name, labels) = Split(key);
                var family = Add(families, name, "summary", "statsd timer: upper_N of the last flush as quantiles, running sum and count");
                foreach (var (quantile, value) in state.Quantiles)
                {
                    family.Add(name, [.. labels, ("quantile", quantile.ToString(CultureInfo.InvariantCulture))], value, sum: false);
                }

                family.Add(name + "_sum", labels, state.Sum, sum: true);
                family.Add(name + "_count", labels, state.Count, sum: true);
            }

            foreach (var (key, value) in _gauges)
            {
                var (name, labels) = Split(key);
                Add(families, name, "gauge", "statsd gauge").Add(name, labels, value, sum: false);
            }

            foreach (var (key, value) in _sets)
            {
                var (name, labels) = Split(key);
                Add(families, name + "_unique", "gauge", "statsd set: distinct members in the last flush").Add(name + "_unique", labels, value, sum: false);
            }
        }

        var output = new PrometheusTextBuilder();
        foreach (var (name, family) in families)
        {
            output.Family(name, family.Help, family.Type);
            foreach (var (sample, labels, value) in family.Samples.Values)
            {
                output.Sample(sample, value, labels);
            }
        }

        return output.ToString();
    }

    private static Family Add(Dictionary<string, Family> families, string name, string type, string help)
    {
        if (!families.TryGetValue(name, out var family))
        {
            family = new Family(type, help);
            families[name] = family;
        }

        return family;
    }

    /// <summary>Metric key to a Prometheus name and labels: <c>a.b-c;env=prod</c> → <c>a_b_c</c>, <c>env="prod"</c>.</summary>
    internal static (string Name, (string Name, string Value)[] Labels) Split(string key)
    {
        var parts = key.Split(';');
        var name = PrometheusNames.Label(parts[0].Replace('.', '_'));
        var labels = new List<(string Name, string Value)>(parts.Length - 1);
        foreach (var tag in parts.AsSpan(1))
        {
            var eq = tag.IndexOf('=', StringComparison.Ordinal);
            var labelName = PrometheusNames.Label(eq < 0 ? tag : tag[..eq]);
            var labelValue = eq < 0 ? "true" : tag[(eq + 1)..];
            // A label name given twice keeps its last value: Prometheus refuses a sample that repeats a label.
            labels.RemoveAll(l => l.Name == labelName);
            labels.Add((labelName, labelValue));
        }

        return (name, [.. labels]);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One Prometheus family. Keys that become the same sample (<c>a.b</c> and <c>a-b</c>) are one
    /// series: counters and totals add up, the other values keep the last key's.</summary>
    private sealed class Family(string type, string help)
    {
        public string Type { get; } = type;

        public string Help { get; } = help;

        public Dictionary<string, (string Name, (string Name, string Value)[] Labels, double Value)> Samples { get; } = new(StringComparer.Ordinal);

        public void Add(string name, (string Name, string Value)[] labels, double value, bool sum)
        {
            var id = name + "{" + string.Join(',', labels.OrderBy(l => l.Name, StringComparer.Ordinal).Select(l => l.Name + "=" + l.Value)) + "}";
            if (sum && Samples.TryGetValue(id, out var existing))
            {
                value += existing.Value;
            }

            Samples[id] = (name, labels, value);
        }
    }

    private sealed class TimerState
    {
        public double Sum;
        public double Count;
        public readonly List<(double Quantile, double Value)> Quantiles = [];
    }
}
