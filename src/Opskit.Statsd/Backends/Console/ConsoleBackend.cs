using Opskit.Statsd.Admin;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Flushing;

namespace Opskit.Statsd.Backends.Console;

/// <summary>
/// Etsy's console backend: "Flushing stats at" and the metrics object printed with Node's
/// <c>util.inspect</c> rules (depth 2, or depth 5 with <c>console.prettyprint</c>; no ANSI colours).
/// </summary>
internal sealed class ConsoleBackend(TextWriter output, bool prettyprint, long startupSeconds) : IStatsdBackend
{
    public string Name => "console";

    public IEnumerable<KeyValuePair<string, double>> Status() =>
    [
        // Etsy never updates these after start.
        new("lastFlush", startupSeconds),
        new("lastException", startupSeconds),
    ];

    public async Task FlushAsync(MetricSnapshot snapshot, CancellationToken cancellationToken)
    {
        var text = "Flushing stats at  " + JsDate(snapshot.Timestamp) + "\n" + JsInspect.Format(ToObject(snapshot), prettyprint ? 5 : 2) + "\n";
        await output.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static JsObject ToObject(MetricSnapshot snapshot)
    {
        var counters = new JsObject();
        var rates = new JsObject();
        for (var i = 0; i < snapshot.Counters.Count; i++)
        {
            counters.Add(snapshot.Counters[i].Name, snapshot.Counters[i].Value);
            rates.Add(snapshot.Counters[i].Name, snapshot.CounterRates[i]);
        }

        var timers = new JsObject();
        foreach (var timer in snapshot.Timers)
        {
            timers.Add(timer.Name, timer.Values.Select(v => (object?)v).ToArray());
        }

        var gauges = new JsObject();
        foreach (var gauge in snapshot.Gauges)
        {
            gauges.Add(gauge.Name, gauge.Value);
        }

        var timerData = new JsObject();
        foreach (var data in snapshot.TimerData)
        {
            var o = new JsObject();
            foreach (var stat in data.Stats)
            {
                o.Add(stat.Name, stat.Value);
            }

            if (data.Histogram is { } histogram)
            {
                var h = new JsObject();
                foreach (var bin in histogram)
                {
                    h.Add(bin.Name, bin.Value);
                }

                o.Add("histogram", h);
            }

            timerData.Add(data.Key, o);
        }

        var sets = new JsObject();
        foreach (var set in snapshot.Sets)
        {
            sets.Add(set.Name, set.Members.Select(m => (object?)m).ToArray());
        }

        var result = new JsObject();
        result.Add("counters", counters);
        result.Add("timers", timers);
        result.Add("gauges", gauges);
        result.Add("timer_data", timerData);
        result.Add("counter_rates", rates);
        result.Add("sets", sets);
        result.Add("pctThreshold", snapshot.PercentThresholds.Select(p => (object?)p).ToArray());
        return result;
    }

    /// <summary>JavaScript <c>Date.prototype.toString</c> in UTC (the daemon runs with TZ unset in most deployments).</summary>
    internal static string JsDate(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime
            .ToString("ddd MMM dd yyyy HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " GMT+0000 (Coordinated Universal Time)";

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
