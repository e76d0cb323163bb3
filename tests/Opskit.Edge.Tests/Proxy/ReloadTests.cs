using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Opskit.Edge.Caching;
using Opskit.Edge.Proxy;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Proxy;

/// <summary>Issue #18: <c>Listen</c> and the cache size apply on reload without dropping requests in flight.</summary>
public sealed class ReloadTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static Dictionary<string, string?> Settings(UpstreamServer upstream, string listen) => new()
    {
        ["ReverseProxy:Routes:r:ClusterId"] = "c",
        ["ReverseProxy:Routes:r:Match:Path"] = "/{**catch-all}",
        ["ReverseProxy:Clusters:c:Destinations:d1:Address"] = upstream.Address,
        ["Edge:Listen"] = listen,
    };

    private static async Task<bool> AnswersAsync(int port)
    {
        try
        {
            return RawHttp.Status(await RawHttp.SendAsync(port, "GET /ping?cc=no-store HTTP/1.1")) == 200;
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Listen_changes_on_reload_and_a_request_in_flight_on_an_address_that_stays_completes()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        int a = FreePort.Tcp(), b = FreePort.Tcp(), c = FreePort.Tcp();
        var settings = new ReloadableSettings(Settings(upstream, $"http://127.0.0.1:{a};http://127.0.0.1:{b}"));
        await using var app = EdgeHost.Build(new EdgeHostSettings(builder => builder.Add(settings), NullLoggerFactory.Instance));
        await app.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            Assert.True(await AnswersAsync(a));
            upstream.Hold = true;
            var inflight = RawHttp.SendAsync(b, "GET /held?hold=1&cc=no-store HTTP/1.1");
            await Eventually.AssertAsync(() => upstream.Count("/held") == 1, Patience, "the held request to reach the origin");

            settings.Change("Edge:Listen", $"http://127.0.0.1:{b};http://127.0.0.1:{c}");

            await Eventually.AssertAsync(() => AnswersAsync(c), Patience, "the new address to answer");
            await Eventually.AssertAsync(async () => !await AnswersAsync(a), Patience, "the removed address to stop answering");
            upstream.Hold = false;
            var held = await inflight;
            Assert.Equal(200, RawHttp.Status(held));
            Assert.Contains("\"path\":\"/held\"", held, StringComparison.Ordinal);
            Assert.True(await AnswersAsync(b));
        }
        finally
        {
            upstream.Hold = false;
            await app.StopAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_lower_cache_size_on_reload_evicts_down_to_it_and_an_invalid_reload_changes_nothing()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        var port = FreePort.Tcp();
        var initial = Settings(upstream, $"http://127.0.0.1:{port}");
        initial["Edge:Cache:SizeLimitMegabytes"] = "8";
        var settings = new ReloadableSettings(initial);
        await using var app = EdgeHost.Build(new EdgeHostSettings(builder => builder.Add(settings), NullLoggerFactory.Instance));
        await app.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var cache = (HttpCache)app.Services.GetService(typeof(HttpCache))!;
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(200, RawHttp.Status(await RawHttp.SendAsync(port, $"GET /big/{i}?size=300000 HTTP/1.1")));
            }

            Assert.True(cache.Size > 2 << 20, $"cached {cache.Size} bytes");

            // Rejected (not positive): the previous configuration stays, cache size included.
            settings.Change("Edge:Cache:SizeLimitMegabytes", "-5");
            Assert.Equal(8L << 20, cache.SizeLimit);
            settings.Change("Edge:Cache:SizeLimitMegabytes", "1");

            await Eventually.AssertAsync(() => cache.SizeLimit == 1 << 20 && cache.Size <= 1 << 20, Patience, "the cache to shrink to 1 MiB");
            Assert.True(cache.Evictions > 0);
            Assert.Equal(HttpStatusCode.OK, (HttpStatusCode)RawHttp.Status(await RawHttp.SendAsync(port, "GET /after?cc=no-store HTTP/1.1")));
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
        }
    }
}
