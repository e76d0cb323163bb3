using System.Globalization;
using System.Text;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Flushing;

namespace Opskit.Statsd.Backends.File;

/// <summary>
/// Net::Statsd::Server's File backend: at each flush, appends one tab-separated line per metric to
/// <c>file.name</c> — <c>c NAME COUNT</c> (integer), <c>t NAME VALUE</c> (one line per timer value, 6 decimals),
/// <c>g NAME VALUE</c> (6 decimals), <c>s NAME m1;m2</c> — skipping the daemon's own <c>statsd.*</c> metrics.
/// </summary>
internal sealed class FileBackend(string path, TimeProvider time, long startupSeconds) : IStatsdBackend
{
    private double _lastFlush = startupSeconds; // as Etsy's backends: `stats` before the first flush shows the uptime
    private double _lastException;

    public string Name => "file";

    public IEnumerable<KeyValuePair<string, double>> Status() =>
        [new("last_flush", _lastFlush), new("last_exception", _lastException)];

    public async Task FlushAsync(MetricSnapshot snapshot, CancellationToken cancellationToken)
    {
        var sb = new StringBuilder();
        foreach (var counter in snapshot.Counters)
        {
            if (!Internal(counter.Name))
            {
                sb.Append("c\t").Append(counter.Name).Append('\t').Append(Integer(counter.Value)).Append('\n');
            }
        }

        foreach (var timer in snapshot.Timers)
        {
            if (Internal(timer.Name))
            {
                continue;
            }

            foreach (var value in timer.Values)
            {
                sb.Append("t\t").Append(timer.Name).Append('\t').Append(value.ToString("F6", CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        foreach (var gauge in snapshot.Gauges)
        {
            if (!Internal(gauge.Name))
            {
                sb.Append("g\t").Append(gauge.Name).Append('\t').Append(gauge.Value.ToString("F6", CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        foreach (var set in snapshot.Sets)
        {
            if (!Internal(set.Name))
            {
                sb.Append("s\t").Append(set.Name).Append('\t').Append(string.Join(';', set.Members)).Append('\n');
            }
        }

        if (sb.Length > 0)
        {
            try
            {
                await System.IO.File.AppendAllTextAsync(path, sb.ToString(), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                _lastException = time.GetUtcNow().ToUnixTimeSeconds();
                throw;
            }
        }

        _lastFlush = time.GetUtcNow().ToUnixTimeSeconds();
    }

    private static bool Internal(string name) => name.StartsWith("statsd.", StringComparison.Ordinal);

    // Perl's %d truncates toward zero.
    private static string Integer(double value) =>
        double.IsFinite(value) ? Math.Truncate(value).ToString("F0", CultureInfo.InvariantCulture) : "-1";

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
