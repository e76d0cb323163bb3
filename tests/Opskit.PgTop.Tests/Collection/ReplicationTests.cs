using Opskit.PgTop.Collection;
using Opskit.PgTop.Model;
using Opskit.Testing;

namespace Opskit.PgTop.Tests.Collection;

/// <summary>A primary of its own with a streaming standby made by pg_basebackup: lag seen from both ends.</summary>
public sealed class ReplicationTests
{
    [Fact(Timeout = 240_000)]
    public async Task Primary_lists_its_standby_and_the_standby_reports_recovery_and_replay_delay()
    {
        await using var primary = await PostgresServer.StartAsync();
        await using var standby = await StandbyServer.StartAsync(primary, "t_standby");

        await using (var collector = new Collector(new ServerTarget("primary", primary.ConnectionString)))
        {
            Snapshot snapshot = null!;
            await Eventually.AssertAsync(
                async () =>
                {
                    snapshot = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
                    return snapshot.Standbys.Any(s => s.Application == "t_standby" && s.State == "streaming" && s.ReplayLagBytes is not null);
                },
                TimeSpan.FromSeconds(90),
                "the primary sees its standby streaming");
            Assert.False(snapshot.Server.InRecovery);
            var lag = snapshot.Standbys.Single(s => s.Application == "t_standby");
            Assert.Equal("127.0.0.1", lag.Client);
            Assert.True(lag.ReplayLagBytes >= 0);
        }

        await using (var collector = new Collector(new ServerTarget("standby", $"Host=127.0.0.1;Port={standby.Port};Username=postgres;Database=postgres;Pooling=false")))
        {
            var snapshot = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
            Assert.True(snapshot.Server.InRecovery);
            Assert.Contains("replication: standby, replay delay", string.Join("\n", Opskit.PgTop.Output.HeaderLines.Build(snapshot)), StringComparison.Ordinal);
        }

        var (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--format", "json", "--once-interval", "0", "--server", $"standby=postgresql://postgres@127.0.0.1:{standby.Port}/postgres"]);
        Assert.True(code == 0, stderr);
        Assert.True(System.Text.Json.JsonDocument.Parse(stdout).RootElement.GetProperty("server").GetProperty("in_recovery").GetBoolean());
    }
}
