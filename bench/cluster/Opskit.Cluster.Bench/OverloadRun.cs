using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Opskit.Cluster.Bench;

/// <summary>What many clients at once saw: admitted (200) and refused (429) requests and their latencies.</summary>
internal sealed record OverloadResult(int Clients, int Admitted, int Refused, int Other, double AdmittedP50Ms, double AdmittedP99Ms, double AdmittedMaxMs, double RefusedP99Ms, double Seconds);

/// <summary>
/// Issue #21's probe: N clients start together, each sends a bounded number of requests of S sentences one
/// after another (no retry on 429), on loopback; bounded by the request count and a time limit.
/// </summary>
internal static class OverloadRun
{
    public static async Task<OverloadResult> RunAsync(Uri endpoint, string[] titles, int clients, int sentencesPerRequest, int requestsPerClient, TimeSpan limit)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
        var admitted = new List<double>[clients];
        var refused = new List<double>[clients];
        var other = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        using var go = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            admitted[client] = [];
            refused[client] = [];
            for (var r = 0; r < requestsPerClient && Stopwatch.GetTimestamp() < stopAt; r++)
            {
                var sentences = Enumerable.Range(0, sentencesPerRequest).Select(i => titles[((client * 131) + (r * 17) + i) % titles.Length]).ToArray();
                using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { inputs = sentences })));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var begin = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync(endpoint, content);
                    await response.Content.ReadAsByteArrayAsync();
                    var ms = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        admitted[client].Add(ms);
                    }
                    else if (response.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        refused[client].Add(ms);
                    }
                    else
                    {
                        Interlocked.Increment(ref other);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref other);
                }
                catch (TaskCanceledException)
                {
                    Interlocked.Increment(ref other);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var ok = admitted.SelectMany(l => l).Order().ToArray();
        var no = refused.SelectMany(l => l).Order().ToArray();
        return new OverloadResult(clients, ok.Length, no.Length, other, Percentile(ok, 0.5), Percentile(ok, 0.99), ok.Length == 0 ? double.NaN : ok[^1], Percentile(no, 0.99), seconds);
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
