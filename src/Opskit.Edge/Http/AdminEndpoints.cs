using Microsoft.AspNetCore.Http;
using Opskit.Core.Metrics;
using Opskit.Edge.Caching;

namespace Opskit.Edge.Http;

/// <summary>
/// The admin listener (<c>Edge:AdminListen</c>, off by default, loopback in <c>opskit up</c>): <c>GET /metrics</c> in
/// Prometheus text format and <c>GET /status</c> as JSON. Requests are told apart from proxied ones by the local
/// port they arrived on, so no proxied path is ever shadowed.
/// </summary>
internal sealed class AdminEndpoints
{
    private readonly EdgeMetrics _metrics;
    private readonly HttpCache _cache;

    public AdminEndpoints(EdgeMetrics metrics, HttpCache cache, AccessLog accessLog)
    {
        _metrics = metrics;
        _cache = cache;
        metrics.ObserveCache(() => cache.Size, () => cache.Count, () => cache.Evictions);
        metrics.ObserveAccessLog(() => accessLog.Dropped);
    }

    public Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return ProblemDetailsWriter.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed", "the admin endpoints accept GET only");
        }

        return path switch
        {
            "/metrics" => WriteAsync(context, PrometheusTextBuilder.ContentType, _metrics.WritePrometheus()),
            "/status" => WriteAsync(context, "application/json", Status()),
            _ => ProblemDetailsWriter.WriteAsync(context, StatusCodes.Status404NotFound, "Not found", "admin endpoints: /metrics, /status"),
        };
    }

    private static Task WriteAsync(HttpContext context, string contentType, string body)
    {
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    private string Status()
    {
        var states = new Dictionary<string, string>();
        foreach (var (path, state) in _metrics.ProfileStates)
        {
            states[path] = state.ToString();
        }

        return System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["cache"] = new Dictionary<string, long> { ["objects"] = _cache.Count, ["bytes"] = _cache.Size, ["evictions"] = _cache.Evictions },
            ["requests"] = new Dictionary<string, long> { ["hits"] = _metrics.Hits, ["misses"] = _metrics.Misses, ["passes"] = _metrics.Passes, ["stale"] = _metrics.StaleServed },
            ["profiles"] = states,
            ["profileIndex"] = _metrics.ProfileIndexes,
        });
    }
}
