using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Opskit.Cluster.Bench;

/// <summary>Result of one closed-loop load run.</summary>
internal sealed record LoadResult(int Clients, double SentencesPerSecond, double P50Ms, double P99Ms, int Requests, int Errors, long MaxRssKib);

/// <summary>
/// Closed-loop HTTP load: each client sends one request at a time (one title per request) until the time
/// is up or the request budget is spent. Loopback only; bounded in count and time.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<LoadResult> RunAsync(Uri endpoint, string[] titles, int clients, TimeSpan duration, int? pid, int maxRequests = 200_000)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        var bodies = titles.Select(t => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { inputs = new[] { t } }))).ToArray();
        var latencies = new List<double>[clients];
        var errors = 0;
        var issued = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long maxRss = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                if (pid is { } id)
                {
                    maxRss = Math.Max(maxRss, Rss.Kib(id));
                }

                try
                {
                    await Task.Delay(100, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        var started = Stopwatch.GetTimestamp();
        var tasks = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var mine = latencies[client] = new List<double>(4096);
            var next = client;
            while (Stopwatch.GetTimestamp() < stopAt && Interlocked.Increment(ref issued) <= maxRequests)
            {
                using var content = new ByteArrayContent(bodies[next++ % bodies.Length]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var begin = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync(endpoint, content);
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                mine.Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(clients, all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), all.Length, errors, maxRss);
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}

internal static class Rss
{
    /// <summary>Resident set size of a process in KiB, from /proc (0 when it is gone).</summary>
    public static long Kib(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
