using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Opskit.Edge.Caching;
using Opskit.Edge.Http;
using Opskit.Edge.Proxy;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Support;

/// <summary>The proxy under test on a free loopback port, in front of an <see cref="UpstreamServer"/>.</summary>
internal sealed class EdgeServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EdgeServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        Client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AutomaticDecompression = DecompressionMethods.None, UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            Timeout = TimeSpan.FromSeconds(20),
        };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    public EdgeMetrics Metrics => _app.Services.GetRequiredService<EdgeMetrics>();

    public HttpCache Cache => _app.Services.GetRequiredService<HttpCache>();

    public EdgeRequestHandler Handler => _app.Services.GetRequiredService<EdgeRequestHandler>();

    /// <summary>Starts a proxy with one route "r" to <paramref name="upstream"/>, plus extra settings.</summary>
    public static Task<EdgeServer> StartAsync(UpstreamServer upstream, IDictionary<string, string?>? extra = null, TimeProvider? time = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:r:ClusterId"] = "c",
            ["ReverseProxy:Routes:r:Match:Path"] = "/{**catch-all}",
            ["ReverseProxy:Clusters:c:Destinations:d1:Address"] = upstream.Address,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return StartAsync(c => c.AddInMemoryCollection(settings), time);
    }

    public static async Task<EdgeServer> StartAsync(Action<IConfigurationBuilder> configure, TimeProvider? time = null)
    {
        var port = FreePort.Tcp();
        var app = EdgeHost.Build(new EdgeHostSettings(c =>
        {
            c.AddInMemoryCollection(new Dictionary<string, string?> { ["Edge:Listen"] = $"http://127.0.0.1:{port}" });
            configure(c);
        }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, time));
        await app.StartAsync();
        return new EdgeServer(app, port);
    }

    public async Task<HttpResponseMessage> GetAsync(string url, string? cookie = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal static class ResponseExtensions
{
    public static string XCache(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Cache", out var values) ? string.Join(",", values) : "(none)";

    public static string Decision(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Personalization", out var values) ? string.Join(",", values) : "(none)";

    public static string Body(this HttpResponseMessage response) => response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
}
