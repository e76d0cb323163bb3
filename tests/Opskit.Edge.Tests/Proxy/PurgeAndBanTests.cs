using System.Net;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Proxy;

public sealed class PurgeAndBanTests : IAsyncLifetime
{
    private UpstreamServer _upstream = null!;
    private EdgeServer _edge = null!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _edge = await EdgeServer.StartAsync(_upstream);
    }

    public async ValueTask DisposeAsync()
    {
        await _edge.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string url, params (string, string)[] headers)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await _edge.Client.SendAsync(request, TestContext.Current.CancellationToken);
        await response.Content.LoadIntoBufferAsync(TestContext.Current.CancellationToken);
        return response;
    }

    [Fact]
    public async Task Purge_removes_exactly_that_url_in_every_encoding()
    {
        // A gzipped body (ce=gzip) is stored apart from the identity one.
        await _edge.GetAsync("/a?x=1&ce=gzip", null, ("Accept-Encoding", "gzip"));
        await _edge.GetAsync("/a?x=1&ce=gzip");
        await _edge.GetAsync("/a?x=2");

        var purge = await SendAsync("PURGE", "/a?x=1&ce=gzip");

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal("{\"removed\":2}", purge.Body());
        Assert.Equal("MISS", (await _edge.GetAsync("/a?x=1&ce=gzip")).XCache());
        Assert.Equal("HIT", (await _edge.GetAsync("/a?x=2")).XCache());
    }

    [Fact]
    public async Task Ban_by_prefix_removes_every_matching_url()
    {
        foreach (var url in new[] { "/news/1", "/news/2?x=y", "/other" })
        {
            await _edge.GetAsync(url);
        }

        var ban = await SendAsync("BAN", "/news/");

        // The list's length may already be 0 again: the lurker can finish a walk of three objects at once.
        Assert.StartsWith("{\"ban\":1,\"bans\":", ban.Body(), StringComparison.Ordinal);
        Assert.Equal("MISS", (await _edge.GetAsync("/news/1")).XCache());
        Assert.Equal("MISS", (await _edge.GetAsync("/news/2?x=y")).XCache());
        Assert.Equal("HIT", (await _edge.GetAsync("/other")).XCache());
    }

    [Fact]
    public async Task Ban_by_regex_removes_matching_urls_and_a_bad_regex_is_a_400()
    {
        foreach (var url in new[] { "/item/1", "/item/22", "/item/abc" })
        {
            await _edge.GetAsync(url);
        }

        var ban = await SendAsync("BAN", "/", ("X-Ban-Regex", "^/item/[0-9]+$"));
        var bad = await SendAsync("BAN", "/", ("X-Ban-Regex", "(unclosed"));

        Assert.Equal(HttpStatusCode.OK, ban.StatusCode);
        Assert.Equal("MISS", (await _edge.GetAsync("/item/1")).XCache());
        Assert.Equal("MISS", (await _edge.GetAsync("/item/22")).XCache());
        Assert.Equal("HIT", (await _edge.GetAsync("/item/abc")).XCache());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_ban_spares_objects_stored_after_it_and_the_lurker_empties_the_list_without_lookups()
    {
        foreach (var url in new[] { "/lurk/1", "/lurk/2", "/lurk/3", "/kept/1" })
        {
            await _edge.GetAsync(url);
        }

        await SendAsync("BAN", "/lurk/");

        // Nobody asks for the banned objects: the background walk removes them and then the ban itself.
        await Eventually.AssertAsync(() => _edge.Cache.Count == 1 && _edge.Cache.BanCount == 0, TimeSpan.FromSeconds(60), "the lurker to remove 3 objects and the ban");
        Assert.Equal("HIT", (await _edge.GetAsync("/kept/1")).XCache());
        Assert.Equal("MISS", (await _edge.GetAsync("/lurk/1")).XCache());
        Assert.Equal("HIT", (await _edge.GetAsync("/lurk/1")).XCache());
        Assert.Equal(2, _upstream.Count("/lurk/1"));
    }

    [Fact]
    public async Task Purge_and_ban_are_refused_outside_the_acl()
    {
        await using var strict = await EdgeServer.StartAsync(_upstream, new Dictionary<string, string?> { ["Edge:PurgeAcl:0"] = "10.0.0.0/8", ["Edge:PurgeAcl:1"] = "10.0.0.0/8" });
        await strict.GetAsync("/kept");

        using var purge = await strict.Client.SendAsync(new HttpRequestMessage(new HttpMethod("PURGE"), "/kept"), TestContext.Current.CancellationToken);
        using var ban = await strict.Client.SendAsync(new HttpRequestMessage(new HttpMethod("BAN"), "/"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, purge.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, ban.StatusCode);
        Assert.Equal("HIT", (await strict.GetAsync("/kept")).XCache());
    }
}
