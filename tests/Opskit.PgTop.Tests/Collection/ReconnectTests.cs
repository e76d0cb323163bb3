using Opskit.PgTop.Collection;
using Opskit.Testing;

namespace Opskit.PgTop.Tests.Collection;

/// <summary>A server of its own, restarted under the collector.</summary>
public sealed class ReconnectTests
{
    [Fact(Timeout = 180_000)]
    public async Task Server_restart_is_a_collector_error_then_the_next_refresh_reconnects()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var collector = new Collector(new ServerTarget("restarting", server.ConnectionString));
        var before = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
        var pidBefore = collector.OwnPid;

        await PgControl.RestartAsync(server);

        // The first refresh after the restart finds its connection gone (or, if the server was quick, already
        // reconnected); either way refreshes go on without the caller doing anything.
        try
        {
            await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
        }
        catch (CollectorException ex)
        {
            Assert.StartsWith("restarting: ", ex.Message, StringComparison.Ordinal);
        }

        Model.Snapshot after = null!;
        await Eventually.AssertAsync(
            async () =>
            {
                try
                {
                    after = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
                    return true;
                }
                catch (CollectorException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(60),
            "the collector reconnects");
        Assert.NotEqual(pidBefore, collector.OwnPid);
        Assert.True(after.Server.StartTime > before.Server.StartTime);
        // Counters of the new server are not compared with the old ones: no rates on the first snapshot.
        Assert.Null(after.Rates);
    }
}
