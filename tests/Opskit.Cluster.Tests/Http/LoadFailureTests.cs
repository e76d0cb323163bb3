using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Tests.Http;

/// <summary>
/// A model that fails to load stops the service, but only once it has started: a stop requested while Kestrel was
/// still binding raced with it (the cause of the intermittent ClusterToolStartupTests.Host_and_port_are_where_it_listens
/// failure: start-up was cancelled before the listen address was logged).
/// </summary>
public sealed class LoadFailureTests
{
    /// <summary>Fails at once, so the failure lands while the host is still starting.</summary>
    private sealed class FailingLoader : IModelLoader
    {
        public Task<ModelFiles> LoadAsync(CancellationToken cancellationToken) =>
            Task.FromException<ModelFiles>(new InvalidDataException("not a model"));
    }

    [Fact]
    public async Task Instant_load_failure_lets_start_up_finish_then_stops_the_host()
    {
        // Repeated: the old race lost only some of the time.
        for (var round = 0; round < 10; round++)
        {
            var (app, client, _) = await ClusterServiceFixture.StartAsync(new ClusterOptions(), new FailingLoader());
            await using var _app = app;
            using var _client = client;
            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
            Assert.True(lifetime.ApplicationStarted.IsCancellationRequested, $"round {round}: StartAsync returned before the host started");
            var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
            await stopping.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.True(app.Services.GetRequiredService<EmbeddingRuntime>().LoadFailed);
            await app.StopAsync(TestContext.Current.CancellationToken);
        }
    }
}
