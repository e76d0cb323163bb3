using System.Net;
using Microsoft.Extensions.Logging;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Http;

/// <summary>Issue #20: the service says when it stops (also under <c>opskit up</c>, where no console lifetime does).</summary>
public sealed class ShutdownLoggingTests
{
    [Fact]
    public async Task Stopping_logs_stopping_and_stopped()
    {
        var logs = new LogCapture();
        using var factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        var (app, client, _) = await ClusterServiceFixture.StartAsync(new ClusterOptions(), loggerFactory: factory);
        using (client)
        {
            Assert.True(await Eventually.TryAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(90)));
            Assert.DoesNotContain(logs.Lines, l => l.Message == "stopped");
            await app.StopAsync(TestContext.Current.CancellationToken);
            await app.DisposeAsync();
        }

        var messages = logs.Lines.Where(l => l.Category.EndsWith("EmbeddingRuntime", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        var stopping = messages.FindIndex(m => m.StartsWith("stopping: ", StringComparison.Ordinal));
        Assert.True(stopping >= 0, string.Join('\n', messages));
        Assert.Equal("stopped", messages[^1]);
        Assert.Equal(LogLevel.Information, logs.Lines.Last(l => l.Message == "stopped").Level);
    }
}
