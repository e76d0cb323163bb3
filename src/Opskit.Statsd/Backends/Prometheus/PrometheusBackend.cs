using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Opskit.Core.Hosting;
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
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        // The daemon owns Ctrl-C/SIGTERM; a console lifetime here would swallow Ctrl-C for the process.
        builder.Services.AddCallerOwnedLifetime();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(address), port));
        var app = builder.Build();
        var backend = new PrometheusBackend(app, startupSeconds);
        app.MapGet("/metrics", (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
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
        var sb = new StringBuilder();
        lock (_gate)
        {
            foreach (var (key, total) in _counterTotals)
            {
                var (name, labels) = Split(key);
                sb.Append("# TYPE ").Append(name).Append("_total counter\n");
                sb.Append(name).Append("_total").Append(labels).Append(' ').Append(Number(total)).Append('\n');
            }

            foreach (var (key, state) in _timers)
            {
                var (name, labels) = Split(key);
                sb.Append("# TYPE ").Append(name).Append(" summary\n");
                foreach (var (quantile, value) in state.Quantiles)
                {
                    var q = "quantile=\"" + quantile.ToString(CultureInfo.InvariantCulture) + "\"";
                    sb.Append(name).Append(labels.Length == 0 ? "{" + q + "}" : labels[..^1] + "," + q + "}").Append(' ').Append(Number(value)).Append('\n');
                }

                sb.Append(name).Append("_sum").Append(labels).Append(' ').Append(Number(state.Sum)).Append('\n');
                sb.Append(name).Append("_count").Append(labels).Append(' ').Append(Number(state.Count)).Append('\n');
            }

            foreach (var (key, value) in _gauges)
            {
                var (name, labels) = Split(key);
                sb.Append("# TYPE ").Append(name).Append(" gauge\n");
                sb.Append(name).Append(labels).Append(' ').Append(Number(value)).Append('\n');
            }

            foreach (var (key, value) in _sets)
            {
                var (name, labels) = Split(key);
                sb.Append("# TYPE ").Append(name).Append("_unique gauge\n");
                sb.Append(name).Append("_unique").Append(labels).Append(' ').Append(Number(value)).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>Metric key to a Prometheus name and label set: <c>a.b-c;env=prod</c> → <c>a_b_c{env="prod"}</c>.</summary>
    internal static (string Name, string Labels) Split(string key)
    {
        var parts = key.Split(';');
        var name = new StringBuilder(parts[0].Length + 1);
        foreach (var c in parts[0])
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        }

        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            name.Insert(0, '_');
        }

        if (parts.Length == 1)
        {
            return (name.ToString(), string.Empty);
        }

        var labels = new List<string>();
        foreach (var tag in parts.Skip(1))
        {
            var eq = tag.IndexOf('=', StringComparison.Ordinal);
            var labelName = eq < 0 ? tag : tag[..eq];
            var labelValue = eq < 0 ? "true" : tag[(eq + 1)..];
            var cleanName = new string(labelName.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray());
            if (cleanName.Length == 0 || char.IsAsciiDigit(cleanName[0]))
            {
                cleanName = "_" + cleanName;
            }

            labels.Add(cleanName + "=\"" + labelValue.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
        }

        return (name.ToString(), "{" + string.Join(',', labels) + "}");
    }

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class TimerState
    {
        public double Sum;
        public double Count;
        public readonly List<(double Quantile, double Value)> Quantiles = [];
    }
}
