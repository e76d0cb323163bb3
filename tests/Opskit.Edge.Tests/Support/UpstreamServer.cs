using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Support;

/// <summary>
/// A real origin on loopback that counts its requests per path. The query string tells it what to answer:
/// <c>cc</c> (Cache-Control), <c>cdn</c>/<c>occ</c> (CDN-/Opskit-Cache-Control), <c>h=Name:value</c> (any field), <c>expires</c>/<c>date</c>, <c>age</c>, <c>vary</c>, <c>setcookie=1</c>,
/// <c>status</c>, <c>delay</c> (ms), <c>size</c> (body bytes), <c>hold=1</c> (wait while <see cref="Hold"/> is on),
/// <c>part=N</c> (a streamed body: N bytes of 'a' sent at once, then, once <see cref="Hold"/> is off, <c>rest</c> bytes
/// of 'b', or with <c>abort=1</c> the connection reset instead), <c>stream=N</c> (N bytes in 16 KiB writes, chunked
/// unless <c>cl=1</c>).
/// <see cref="Failing"/> makes every answer a 500,
/// <see cref="Healthy"/> drives <c>/health</c>.
/// </summary>
internal sealed class UpstreamServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentDictionary<string, int> _finished = new();
    private TaskCompletionSource _held = Released();
    private int _healthChecks;

    private UpstreamServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}/";

    public bool Failing { get; set; }

    public bool Healthy { get; set; } = true;

    /// <summary>How many <c>/health</c> probes arrived.</summary>
    public int HealthChecks => Volatile.Read(ref _healthChecks);

    public ConcurrentQueue<IHeaderDictionary> Requests { get; } = new();

    /// <summary>While on, requests with <c>hold=1</c> wait (counted already) until it is switched off.</summary>
    public bool Hold
    {
        get => !Volatile.Read(ref _held).Task.IsCompleted;
        set
        {
            if (value && !Hold)
            {
                Volatile.Write(ref _held, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }
            else
            {
                Volatile.Read(ref _held).TrySetResult();
            }
        }
    }

    public int Count(string path) => _counts.TryGetValue(path, out var n) ? n : 0;

    /// <summary>How many answers to <paramref name="path"/> the origin finished sending.</summary>
    public int Finished(string path) => _finished.TryGetValue(path, out var n) ? n : 0;

    public static async Task<UpstreamServer> StartAsync()
    {
        var port = FreePort.Tcp();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new UpstreamServer(app, port);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (path == "/health")
        {
            Interlocked.Increment(ref _healthChecks);
            context.Response.StatusCode = Healthy ? 200 : 503;
            return;
        }

        var count = _counts.AddOrUpdate(path, 1, (_, n) => n + 1);
        Requests.Enqueue(new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => h.Value)));
        var q = request.Query;
        if (q.ContainsKey("hold"))
        {
            await Volatile.Read(ref _held).Task;
        }

        if (q.TryGetValue("delay", out var delay))
        {
            // Ends early when the proxy gives up on the request, so a long delay does not hold up shutdown.
            await Task.Delay(int.Parse(delay!, CultureInfo.InvariantCulture), context.RequestAborted);
        }

        var response = context.Response;
        if (q.TryGetValue("part", out var part))
        {
            await StreamPartsAsync(context, int.Parse(part!, CultureInfo.InvariantCulture));
            _finished.AddOrUpdate(path, 1, (_, n) => n + 1);
            return;
        }

        if (q.TryGetValue("stream", out var streamed))
        {
            await StreamAsync(context, int.Parse(streamed!, CultureInfo.InvariantCulture));
            _finished.AddOrUpdate(path, 1, (_, n) => n + 1);
            return;
        }

        if (Failing)
        {
            response.StatusCode = 500;
            await response.WriteAsync("upstream failure");
            return;
        }

        response.StatusCode = q.TryGetValue("status", out var status) ? int.Parse(status!, CultureInfo.InvariantCulture) : 200;
        if (q.TryGetValue("cc", out var cc))
        {
            response.Headers.CacheControl = cc.ToString();
        }

        if (q.TryGetValue("cdn", out var cdn))
        {
            response.Headers["CDN-Cache-Control"] = cdn.ToString();
        }

        if (q.TryGetValue("occ", out var occ))
        {
            response.Headers["Opskit-Cache-Control"] = occ.ToString();
        }

        if (q.TryGetValue("h", out var extra))
        {
            var colon = extra.ToString().IndexOf(':', StringComparison.Ordinal);
            response.Headers[extra.ToString()[..colon]] = extra.ToString()[(colon + 1)..];
        }

        if (q.TryGetValue("date", out var date))
        {
            response.Headers.Date = date.ToString();
        }

        if (q.TryGetValue("expires", out var expires))
        {
            response.Headers.Expires = expires.ToString();
        }

        if (q.TryGetValue("age", out var age))
        {
            response.Headers.Age = age.ToString();
        }

        if (q.TryGetValue("vary", out var vary))
        {
            response.Headers.Vary = vary.ToString();
        }

        response.Headers["X-Origin-Count"] = count.ToString(CultureInfo.InvariantCulture);
        if (q.TryGetValue("etag", out var etag))
        {
            response.Headers.ETag = $"\"{etag}\"";
            if (request.Headers.IfNoneMatch == $"\"{etag}\"")
            {
                response.StatusCode = 304;
                return;
            }
        }

        if (q.TryGetValue("lastmod", out var lastModified))
        {
            response.Headers.LastModified = lastModified.ToString();
        }

        if (q.ContainsKey("ce") && request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.Ordinal))
        {
            response.Headers.ContentEncoding = q["ce"].ToString(); // Only a label: the body is not really compressed.
        }

        if (q.ContainsKey("setcookie"))
        {
            response.Headers.SetCookie = "session=abc";
        }

        response.ContentType = q.TryGetValue("ct", out var ct) ? ct.ToString() : "application/json";
        var size = q.TryGetValue("size", out var s) ? int.Parse(s!, CultureInfo.InvariantCulture) : 0;
        var body = $"{{\"path\":\"{path}\",\"n\":{count},\"inm\":\"{request.Headers.IfNoneMatch}\",\"lang\":\"{request.Headers.AcceptLanguage}\",\"user\":\"{request.Headers["X-Edge-User"]}\",\"cookie\":\"{request.Headers.Cookie}\",\"ae\":\"{request.Headers.AcceptEncoding}\",\"xfh\":\"{request.Headers["X-Forwarded-Host"]}\",\"method\":\"{request.Method}\",\"target\":\"{context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget}\"";
        body += size > 0 ? $",\"pad\":\"{new string('x', size)}\"}}" : "}";
        if (response.StatusCode is not (204 or 304))
        {
            await response.WriteAsync(body);
        }
    }

    private async Task StreamPartsAsync(HttpContext context, int first)
    {
        var q = context.Request.Query;
        var response = context.Response;
        response.ContentType = "text/plain";
        response.Headers.CacheControl = "max-age=600";
        await response.Body.WriteAsync(Enumerable.Repeat((byte)'a', first).ToArray());
        await response.Body.FlushAsync();
        await Volatile.Read(ref _held).Task;
        if (q.ContainsKey("abort"))
        {
            context.Abort();
            return;
        }

        var rest = q.TryGetValue("rest", out var r) ? int.Parse(r!, CultureInfo.InvariantCulture) : 0;
        await response.Body.WriteAsync(Enumerable.Repeat((byte)'b', rest).ToArray());
    }

    private static async Task StreamAsync(HttpContext context, int length)
    {
        var response = context.Response;
        response.ContentType = "application/octet-stream";
        response.Headers.CacheControl = "max-age=600";
        if (context.Request.Query.ContainsKey("cl"))
        {
            response.ContentLength = length;
        }

        var chunk = new byte[16 * 1024];
        for (var sent = 0; sent < length; sent += chunk.Length)
        {
            var n = Math.Min(chunk.Length, length - sent);
            for (var i = 0; i < n; i++)
            {
                chunk[i] = (byte)((sent + i) % 251);
            }

            await response.Body.WriteAsync(chunk.AsMemory(0, n), context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource();
        released.SetResult();
        return released;
    }
}
