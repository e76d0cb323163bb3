using Microsoft.AspNetCore.Http;
using Opskit.Core.Metrics;
using Opskit.Edge.Caching;
using Opskit.Edge.Profiles;

namespace Opskit.Edge.Http;

/// <summary>
/// The admin listener (<c>Edge:AdminListen</c>, off by default, loopback in <c>opskit up</c>): <c>GET /metrics</c> in
/// Prometheus text format and <c>GET /status</c> as JSON. Requests are told apart from proxied ones by the local
/// port they arrived on, so no proxied path is ever shadowed.
/// </summary>
internal sealed class AdminEndpoints(EdgeMetrics metrics, HttpCache cache, AccessLog accessLog)
{
    public Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return ProblemDetailsWriter.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed", "the admin endpoints accept GET only");
        }

        return path switch
        {
            "/metrics" => WriteAsync(context, PrometheusTextBuilder.ContentType, Prometheus()),
            "/status" => WriteAsync(context, "application/json", Status()),
            _ => ProblemDetailsWriter.WriteAsync(context, StatusCodes.Status404NotFound, "Not found", "admin endpoints: /metrics, /status"),
        };
    }

    private static Task WriteAsync(HttpContext context, string contentType, string body)
    {
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    private string Prometheus()
    {
        var text = new PrometheusTextBuilder()
            .Counter("opskit_edge_cache_hits_total", "Requests answered from the cache", metrics.Hits)
            .Counter("opskit_edge_cache_misses_total", "Requests that needed an upstream fetch", metrics.Misses)
            .Counter("opskit_edge_cache_passes_total", "Requests passed to the backend uncached", metrics.Passes)
            .Counter("opskit_edge_cache_stale_served_total", "Stale objects served because the upstream failed or was sick", metrics.StaleServed)
            .Counter("opskit_edge_upstream_fetches_total", "Upstream fetches for the cache", metrics.UpstreamFetches)
            .Counter("opskit_edge_profiles_unavailable_lookups_total", "Lookups answered no-profile because no usable file is loaded", metrics.ProfileUnavailableLookups)
            .Counter("opskit_edge_profiles_load_failures_total", "Changes of a profiles file into an unusable state", metrics.ProfileLoadFailures)
            .Counter("opskit_edge_access_log_dropped_total", "Access log lines dropped because the writer was behind", accessLog.Dropped)
            .Gauge("opskit_edge_cache_bytes", "Bytes held by cached objects", cache.Size)
            .Gauge("opskit_edge_cache_objects", "Cache keys held", cache.Count)
            .Counter("opskit_edge_cache_evictions_total", "Objects evicted by the size limit", cache.Evictions)
            .Family("opskit_edge_profiles_loaded", "1 when the profiles file is usable", "gauge");
        foreach (var (path, state) in metrics.ProfileStates)
        {
            text.Sample("opskit_edge_profiles_loaded", state == ProfileStoreState.Loaded ? 1 : 0, ("path", path), ("state", state.ToString()));
        }

        text.Family("opskit_edge_profiles_indexed", "Profiles in the in-memory index (0 while it is built)", "gauge");
        foreach (var (path, count) in metrics.ProfileIndexes)
        {
            text.Sample("opskit_edge_profiles_indexed", count, ("path", path));
        }

        return text.ToString();
    }

    private string Status()
    {
        var states = new Dictionary<string, string>();
        foreach (var (path, state) in metrics.ProfileStates)
        {
            states[path] = state.ToString();
        }

        return System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["cache"] = new Dictionary<string, long> { ["objects"] = cache.Count, ["bytes"] = cache.Size, ["evictions"] = cache.Evictions },
            ["requests"] = new Dictionary<string, long> { ["hits"] = metrics.Hits, ["misses"] = metrics.Misses, ["passes"] = metrics.Passes, ["stale"] = metrics.StaleServed },
            ["profiles"] = states,
            ["profileIndex"] = metrics.ProfileIndexes,
        });
    }

}
