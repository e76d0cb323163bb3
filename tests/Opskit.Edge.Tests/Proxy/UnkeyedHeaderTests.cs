using System.Net;
using Opskit.Edge.Tests.Support;

namespace Opskit.Edge.Tests.Proxy;

/// <summary>
/// Issue #21 point 8: request headers that change the origin's answer but are not in the cache key must not reach
/// cacheable fetches (cache poisoning), unless the route keys on them; the edge sets X-Forwarded-* itself.
/// </summary>
public sealed class UnkeyedHeaderTests : IAsyncLifetime
{
    private UpstreamServer _upstream = null!;
    private EdgeServer _edge = null!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _edge = await EdgeServer.StartAsync(_upstream, new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:keyed:ClusterId"] = "c",
            ["ReverseProxy:Routes:keyed:Match:Path"] = "/keyed/{**rest}",
            ["Edge:Policies:keyed:CacheKeyHeaders:0"] = "X-Forwarded-Host",
            ["ReverseProxy:Routes:g:ClusterId"] = "c",
            ["ReverseProxy:Routes:g:Match:Path"] = "/g/{**rest}",
            ["Edge:Policies:g:Cache"] = "false",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _edge.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Forwarding_headers_from_a_client_do_not_poison_the_cached_answer()
    {
        var evil = await _edge.GetAsync("/p1", null,
            ("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Proto", "gopher"), ("X-Forwarded-For", "6.6.6.6"),
            ("X-Original-URL", "/admin"), ("X-Rewrite-URL", "/admin"), ("Forwarded", "host=evil.example;proto=https"),
            ("X-HTTP-Method-Override", "DELETE"));
        var plain = await _edge.GetAsync("/p1");

        Assert.Equal("MISS", evil.XCache());
        Assert.Equal("HIT", plain.XCache());
        Assert.DoesNotContain("evil", plain.Body(), StringComparison.Ordinal);
        var seen = Assert.Single(_upstream.Requests);
        Assert.Equal($"127.0.0.1:{_edge.Port}", seen["X-Forwarded-Host"].ToString());
        Assert.Equal("http", seen["X-Forwarded-Proto"].ToString());
        Assert.Equal("127.0.0.1", seen["X-Forwarded-For"].ToString());
        foreach (var name in new[] { "X-Original-URL", "X-Rewrite-URL", "Forwarded", "X-HTTP-Method-Override" })
        {
            Assert.False(seen.ContainsKey(name), $"{name} reached the origin on a cacheable fetch");
        }
    }

    [Fact]
    public async Task The_upstream_user_header_is_removed_on_routes_without_a_gate()
    {
        var cached = await _edge.GetAsync("/u1", null, ("X-Edge-User", "id=admin; decision=personalized"));
        using var post = new HttpRequestMessage(HttpMethod.Post, "/u2") { Content = new StringContent("x") };
        post.Headers.TryAddWithoutValidation("X-Edge-User", "id=admin; decision=personalized");
        using var passed = await _edge.Client.SendAsync(post, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.Equal(2, _upstream.Requests.Count);
        Assert.All(_upstream.Requests, seen => Assert.False(seen.ContainsKey("X-Edge-User")));
    }

    [Fact]
    public async Task A_route_that_keys_on_a_header_forwards_it_and_caches_one_answer_per_value()
    {
        var a = await _edge.GetAsync("/keyed/x", null, ("X-Forwarded-Host", "a.example"));
        var b = await _edge.GetAsync("/keyed/x", null, ("X-Forwarded-Host", "b.example"));
        var a2 = await _edge.GetAsync("/keyed/x", null, ("X-Forwarded-Host", "a.example"));
        var b2 = await _edge.GetAsync("/keyed/x", null, ("X-Forwarded-Host", "b.example"));

        Assert.Equal(("MISS", "MISS", "HIT", "HIT"), (a.XCache(), b.XCache(), a2.XCache(), b2.XCache()));
        Assert.Contains("\"xfh\":\"a.example\"", a2.Body(), StringComparison.Ordinal);
        Assert.Contains("\"xfh\":\"b.example\"", b2.Body(), StringComparison.Ordinal);
        Assert.Equal(2, _upstream.Count("/keyed/x"));
    }

    [Fact]
    public async Task Options_asterisk_is_answered_by_the_edge_and_never_becomes_options_slash()
    {
        var response = await RawHttp.SendAsync(_edge.Port, "OPTIONS * HTTP/1.1");

        Assert.Equal(200, RawHttp.Status(response));
        Assert.Contains("Allow: ", response, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task Dot_segments_are_removed_before_routing_so_route_cache_key_and_origin_agree()
    {
        // /g is a pass route; /g/../../etc/passwd is /etc/passwd (RFC 3986 §5.2.4), which belongs to the catch-all route.
        var first = await RawHttp.SendAsync(_edge.Port, "GET /g/../../etc/passwd HTTP/1.1");
        var second = await RawHttp.SendAsync(_edge.Port, "GET /etc/passwd HTTP/1.1");
        var encoded = await RawHttp.SendAsync(_edge.Port, "GET /g/%2e%2e/etc/passwd HTTP/1.1");

        Assert.Equal(200, RawHttp.Status(first));
        Assert.Contains("X-Cache: MISS", first, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("X-Cache: HIT", second, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("X-Cache: HIT", encoded, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"target\":\"/etc/passwd\"", first, StringComparison.Ordinal);
        Assert.Equal(1, _upstream.Count("/etc/passwd"));
    }
}
