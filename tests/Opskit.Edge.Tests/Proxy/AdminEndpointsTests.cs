using System.Net;
using System.Text.Json;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Proxy;

public sealed class AdminEndpointsTests
{
    [Fact]
    public async Task Admin_listener_serves_metrics_and_status_and_the_proxy_port_still_proxies_them()
    {
        using var dir = new TempDirectory("opskit-edge-admin");
        await using var upstream = await UpstreamServer.StartAsync();
        var adminPort = FreePort.Tcp();
        await using var edge = await EdgeServer.StartAsync(upstream, new Dictionary<string, string?>
        {
            ["Edge:AdminListen"] = $"http://127.0.0.1:{adminPort}",
            ["Edge:Policies:r:Gate:Database"] = dir.File("missing.db"),
        });
        await edge.GetAsync("/a");
        await edge.GetAsync("/a");
        await edge.GetAsync("/a", "userId=u1");
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/") };

        var metrics = await admin.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        var status = JsonDocument.Parse(await admin.GetStringAsync("/status", TestContext.Current.CancellationToken)).RootElement;
        var proxied = await edge.GetAsync("/metrics");

        Assert.Contains("opskit_edge_cache_hits_total 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("opskit_edge_cache_misses_total 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("opskit_edge_profiles_unavailable_lookups_total 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("state=\"Missing\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("opskit_edge_cache_objects 1\n", metrics, StringComparison.Ordinal);
        await Promtool.AssertValidAsync(metrics);
        Assert.Equal(1, status.GetProperty("cache").GetProperty("objects").GetInt64());
        Assert.Equal("Missing", status.GetProperty("profiles").GetProperty(dir.File("missing.db")).GetString());
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Contains("\"path\":\"/metrics\"", proxied.Body(), StringComparison.Ordinal);
    }
}
