using Npgsql;
using Opskit.PgTop.Collection;
using Opskit.PgTop.Model;
using Opskit.Testing;

namespace Opskit.PgTop.Tests.Collection;

public sealed class CollectorTests(PgFixture pg)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 120_000)]
    public async Task Reports_idle_idle_in_transaction_and_sleeping_sessions_but_never_itself()
    {
        var tag = PgFixture.Unique("t_states");
        await using var idle = await pg.OpenAsync(tag + "_idle");
        await using var inTransaction = await pg.OpenAsync(tag + "_iit");
        await using var sleeping = await pg.OpenAsync(tag + "_sleep");
        await PgFixture.ExecuteAsync(inTransaction, "BEGIN; SELECT 1");
        var sleep = PgFixture.StartAsync(sleeping, "SELECT pg_sleep(60)");

        await using var collector = new Collector(pg.Target());
        Snapshot snapshot = null!;
        await Eventually.AssertAsync(
            async () =>
            {
                snapshot = await collector.CollectAsync(new CollectOptions(IncludeIdle: true), TestContext.Current.CancellationToken);
                return Find(snapshot, tag + "_sleep") is { IsActive: true, WaitEvent: "PgSleep" };
            },
            Wait,
            "the pg_sleep session shows as active");

        Assert.Equal("idle", Find(snapshot, tag + "_idle")!.State);
        var iit = Find(snapshot, tag + "_iit")!;
        Assert.Equal("idle in transaction", iit.State);
        Assert.NotNull(iit.XactAgeSeconds);
        var sleeper = Find(snapshot, tag + "_sleep")!;
        Assert.Equal("SELECT pg_sleep(60)", sleeper.Query);
        Assert.Equal("client backend", sleeper.BackendType);
        Assert.Equal("Timeout", sleeper.WaitEventType);
        Assert.True(sleeper.QueryAgeSeconds >= 0);
        Assert.Equal("127.0.0.1", sleeper.Client);
        Assert.Equal("postgres", sleeper.User);
        Assert.Equal("postgres", sleeper.Database);
        Assert.NotNull(sleeper.QueryId);
        Assert.Empty(sleeper.BlockedBy);

        Assert.NotEqual(0, collector.OwnPid);
        Assert.DoesNotContain(snapshot.Sessions, s => s.Pid == collector.OwnPid);
        Assert.DoesNotContain(snapshot.Sessions, s => s.Application == Collector.ApplicationName);

        // Idle sessions are left out by default but still counted in the header.
        var withoutIdle = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
        Assert.Null(Find(withoutIdle, tag + "_idle"));
        Assert.NotNull(Find(withoutIdle, tag + "_iit"));
        Assert.True(withoutIdle.Counts.Idle >= 1);
        Assert.True(withoutIdle.Counts.IdleInTransaction >= 1);
        Assert.True(withoutIdle.Counts.Active >= 1);
        Assert.True(withoutIdle.Counts.Total >= 3);
        Assert.Equal(200, withoutIdle.Server.MaxConnections);
        Assert.False(withoutIdle.Server.InRecovery);
        Assert.StartsWith("1", withoutIdle.Server.Version, StringComparison.Ordinal);
        Assert.NotNull(withoutIdle.Rates);
        Assert.NotNull(withoutIdle.OldestTransaction);
        Assert.NotNull(withoutIdle.CacheHitRatio);

        await PgFixture.ExecuteAsync(idle, $"SELECT pg_cancel_backend({sleeper.Pid})");
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => sleep);
    }

    [Fact(Timeout = 120_000)]
    public async Task Own_session_has_application_name_and_timeouts()
    {
        await using var collector = new Collector(pg.Target(), statementTimeoutMs: 4321, lockTimeoutMs: 1234);
        await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
        var (timeouts, app) = await collector.UseConnectionAsync(
            async (c, ct) =>
            {
                await using var command = new NpgsqlCommand("SELECT current_setting('statement_timeout') || ' ' || current_setting('lock_timeout'), current_setting('application_name')", c);
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                return (reader.GetString(0), reader.GetString(1));
            },
            TestContext.Current.CancellationToken);
        Assert.Equal("4321ms 1234ms", timeouts);
        Assert.Equal("opskit-pgtop", app);
    }

    [Fact(Timeout = 120_000)]
    public async Task Lock_chain_of_three_levels_with_two_roots_becomes_a_tree()
    {
        await using var chain = await LockChain.CreateAsync(pg);
        await using var collector = new Collector(pg.Target());
        Snapshot snapshot = null!;
        await Eventually.AssertAsync(
            async () =>
            {
                snapshot = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
                return chain.WaitersVisible(snapshot);
            },
            Wait,
            "the three waiters wait on their locks");

        var d = snapshot.Sessions.Single(s => s.Pid == chain.D);
        Assert.Equal([chain.C], d.BlockedBy);
        Assert.Equal("Lock", d.WaitEventType);
        Assert.Equal([chain.A], snapshot.Sessions.Single(s => s.Pid == chain.C).BlockedBy);
        Assert.Equal([chain.B], snapshot.Sessions.Single(s => s.Pid == chain.E).BlockedBy);
        // Only lock waiters get pg_blocking_pids(): the roots and other sessions have none.
        Assert.Empty(snapshot.Sessions.Single(s => s.Pid == chain.A).BlockedBy);
        Assert.All(snapshot.Sessions.Where(s => s.WaitEventType != "Lock"), s => Assert.Empty(s.BlockedBy));

        var rootA = snapshot.LockTree.Single(n => n.Pid == chain.A);
        var rootB = snapshot.LockTree.Single(n => n.Pid == chain.B);
        Assert.DoesNotContain(snapshot.LockTree, n => n.Pid == chain.C || n.Pid == chain.D || n.Pid == chain.E);
        Assert.Equal(2, rootA.BlockedCount);
        Assert.Equal(chain.C, Assert.Single(rootA.Blocked).Pid);
        Assert.Equal(chain.D, Assert.Single(rootA.Blocked[0].Blocked).Pid);
        Assert.Empty(rootA.Blocked[0].Blocked[0].Blocked);
        Assert.Equal(1, rootA.Blocked[0].BlockedCount);
        Assert.Equal(1, rootB.BlockedCount);
        Assert.Equal(chain.E, Assert.Single(rootB.Blocked).Pid);
        Assert.True(rootA.MaxWaitSeconds > 0);
        Assert.Equal("idle in transaction", rootA.Session.State);
        // The root that blocks more comes first.
        Assert.True(snapshot.LockTree.ToList().FindIndex(n => n.Pid == chain.A) < snapshot.LockTree.ToList().FindIndex(n => n.Pid == chain.B));
    }

    [Fact(Timeout = 120_000)]
    public async Task Stats_reset_between_two_refreshes_gives_no_negative_rates()
    {
        await using var collector = new Collector(pg.Target());
        await using var work = await pg.OpenAsync("t_reset_work");
        var table = PgFixture.Unique("t_reset");
        await PgFixture.ExecuteAsync(work, $"CREATE TABLE {table} (id int); INSERT INTO {table} SELECT generate_series(1, 1000)");
        await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
        await PgFixture.ExecuteAsync(work, "SELECT pg_stat_reset()");
        var afterReset = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
        Assert.NotNull(afterReset.Rates);
        Assert.True(afterReset.Rates.Reset, "a reset between two refreshes is reported as such");
        Assert.Null(afterReset.Rates.TransactionsPerSecond);
        Assert.Null(afterReset.Rates.InsertedPerSecond);

        await PgFixture.ExecuteAsync(work, $"INSERT INTO {table} SELECT generate_series(1, 10)");
        var next = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
        Assert.False(next.Rates!.Reset);
        Assert.True(next.Rates.TransactionsPerSecond >= 0);
        Assert.True(next.Rates.InsertedPerSecond >= 0);
        Assert.True(next.Rates.UpdatedPerSecond >= 0);
        Assert.True(next.Rates.DeletedPerSecond >= 0);
    }

    [Fact(Timeout = 120_000)]
    public async Task Unreachable_server_is_a_one_line_collector_error()
    {
        var target = new ServerTarget("nowhere", $"Host=127.0.0.1;Port={FreePort.Tcp()};Username=postgres;Password=secret-pw");
        await using var collector = new Collector(target);
        var error = await Assert.ThrowsAsync<CollectorException>(() => collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken));
        Assert.StartsWith("nowhere: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static Session? Find(Snapshot snapshot, string application) =>
        snapshot.Sessions.SingleOrDefault(s => s.Application == application);
}
