using System.Net;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Proxy;

public sealed class HealthProbeTests
{
    [Fact]
    public async Task Probes_mark_the_upstream_sick_and_healthy_again()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var edge = await EdgeServer.StartAsync(upstream, new Dictionary<string, string?>
        {
            ["Edge:Probes:c:Url"] = "/health",
            ["Edge:Probes:c:IntervalSeconds"] = "0.05",
            ["Edge:Probes:c:TimeoutSeconds"] = "1",
            ["Edge:Probes:c:Window"] = "4",
            ["Edge:Probes:c:Threshold"] = "2",
            ["Edge:Probes:c:Initial"] = "2",
        });
        var timeout = TimeSpan.FromSeconds(60);
        var cached = await edge.GetAsync("/cached?cc=max-age%3D1%2C%20stale-while-revalidate%3D0%2C%20stale-if-error%3D600");
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);

        upstream.Healthy = false;
        await Eventually.AssertAsync(async () => (await edge.GetAsync("/nostore?cc=no-store")).StatusCode == HttpStatusCode.ServiceUnavailable, timeout, "sick");
        var before = upstream.Count("/nostore");
        var sick = await edge.GetAsync("/nostore?cc=no-store");
        var passSick = await edge.Client.PostAsync("/post", new StringContent("x"), TestContext.Current.CancellationToken);
        await Eventually.AssertAsync(async () => (await edge.GetAsync("/cached?cc=max-age%3D1%2C%20stale-while-revalidate%3D0%2C%20stale-if-error%3D600")).StatusCode == HttpStatusCode.OK
            && upstream.Count("/cached") == 1, timeout, "stale answer while sick");
        // Wait (by the object's own Age, not a fixed sleep) until the cached object is past its 1 s TTL.
        await Eventually.AssertAsync(async () => (await edge.GetAsync("/cached?cc=max-age%3D1%2C%20stale-while-revalidate%3D0%2C%20stale-if-error%3D600")).Headers.Age >= TimeSpan.FromSeconds(2),
            timeout, "cached object older than its TTL");
        var stale = await edge.GetAsync("/cached?cc=max-age%3D1%2C%20stale-while-revalidate%3D0%2C%20stale-if-error%3D600");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, sick.StatusCode);
        Assert.Equal("application/problem+json", sick.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, passSick.StatusCode);
        Assert.Equal(before, upstream.Count("/nostore"));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(cached.Body(), stale.Body());
        Assert.Equal(1, upstream.Count("/cached"));

        upstream.Healthy = true;
        await Eventually.AssertAsync(async () => (await edge.GetAsync("/nostore?cc=no-store")).StatusCode == HttpStatusCode.OK, timeout, "healthy again");
        Assert.True(upstream.Count("/nostore") > before);
    }

    [Fact]
    public async Task Upstream_starts_sick_until_the_first_good_probe_by_default()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Healthy = false;
        await using var edge = await EdgeServer.StartAsync(upstream, new Dictionary<string, string?>
        {
            ["Edge:Probes:c:Url"] = "/health",
            ["Edge:Probes:c:IntervalSeconds"] = "0.05",
        });

        await Eventually.AssertAsync(async () => (await edge.GetAsync("/x")).StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(60), "sick at start");
        upstream.Healthy = true;
        await Eventually.AssertAsync(async () => (await edge.GetAsync("/x")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "healthy after one good probe");
    }
}
