using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Opskit.Cluster.Embeddings;
using Opskit.Cluster.Http;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Http;

/// <summary>A real <c>opskit cluster</c> web host on a free loopback port, ready (model loaded) before tests run.</summary>
public sealed class ClusterServiceFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>What the service logged (debug and up).</summary>
    public LogCapture Logs { get; } = new();

    private ILoggerFactory? _loggerFactory;

    public async ValueTask InitializeAsync()
    {
        _loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        // The admission budget is off here: on a loaded machine the work one test leaves queued (a client that went
        // away, a large request) could make the next test's request a 429. AdmissionBudgetTests test the budget.
        var options = new ClusterOptions();
        options = options with { Batching = options.Batching with { AdmissionBudget = TimeSpan.Zero } };
        (_app, Client, BaseAddress) = await StartAsync(options, loggerFactory: _loggerFactory);
        var ready = await Eventually.TryAsync(
            async () => (await Client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(90));
        if (!ready)
        {
            throw new TimeoutException("the cluster service did not become ready within 90 s");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _loggerFactory?.Dispose();
    }

    internal static async Task<(WebApplication App, HttpClient Client, Uri BaseAddress)> StartAsync(ClusterOptions options, IModelLoader? loader = null, ILoggerFactory? loggerFactory = null)
    {
        var port = FreePort.Tcp();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var app = ClusterServer.Build(options with { Urls = baseAddress.ToString().TrimEnd('/') }, loader, loggerFactory);
        await app.StartAsync();
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        return (app, client, baseAddress);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterServiceCollection : ICollectionFixture<ClusterServiceFixture>
{
    public const string Name = "cluster service";
}
