using Npgsql;
using Opskit.PgTop.Actions;
using Opskit.PgTop.Collection;
using Opskit.PgTop.Model;
using Opskit.Testing;

namespace Opskit.PgTop.Tests.Actions;

public sealed class ActionsTests(PgFixture pg)
{
    [Fact(Timeout = 120_000)]
    public async Task Cancel_stops_the_running_statement_and_terminate_ends_the_session()
    {
        var tag = PgFixture.Unique("t_signal");
        await using var sleeper = await pg.OpenAsync(tag + "_sleep");
        await using var victim = await pg.OpenAsync(tag + "_victim");
        var sleep = PgFixture.StartAsync(sleeper, "SELECT pg_sleep(60)");
        await using var collector = new Collector(pg.Target());
        await Eventually.AssertAsync(
            async () => (await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken)).Sessions.Any(s => s.Pid == sleeper.ProcessID && s.IsActive),
            TimeSpan.FromSeconds(30),
            "pg_sleep runs");

        var cancel = Assert.Single(await BackendSignaller.SignalAsync(collector, SignalKind.Cancel, [sleeper.ProcessID], TestContext.Current.CancellationToken));
        Assert.True(cancel.Succeeded, cancel.Message);
        var cancelled = await Assert.ThrowsAsync<PostgresException>(() => sleep.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal("57014", cancelled.SqlState); // query_canceled
        await PgFixture.ExecuteAsync(sleeper, "SELECT 1"); // the session itself lives on

        var terminate = Assert.Single(await BackendSignaller.SignalAsync(collector, SignalKind.Terminate, [victim.ProcessID], TestContext.Current.CancellationToken));
        Assert.True(terminate.Succeeded, terminate.Message);
        await Eventually.AssertAsync(
            async () => !(await collector.CollectAsync(new CollectOptions(IncludeIdle: true), TestContext.Current.CancellationToken)).Sessions.Any(s => s.Pid == victim.ProcessID),
            TimeSpan.FromSeconds(30),
            "the terminated session is gone");

        var gone = Assert.Single(await BackendSignaller.SignalAsync(collector, SignalKind.Cancel, [victim.ProcessID], TestContext.Current.CancellationToken));
        Assert.False(gone.Succeeded);
        Assert.Contains("no such backend", gone.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Role_without_privileges_gets_messages_and_notes_not_crashes()
    {
        var role = PgFixture.Unique("lowpriv");
        await using var admin = await pg.OpenAsync();
        await PgFixture.ExecuteAsync(admin, $"CREATE ROLE {role} LOGIN");
        var tag = PgFixture.Unique("t_priv");
        await using var superSleeper = await pg.OpenAsync(tag + "_sleep");
        var sleep = PgFixture.StartAsync(superSleeper, "SELECT pg_sleep(60)");

        await using var collector = new Collector(pg.Target(user: role));
        Snapshot snapshot = null!;
        await Eventually.AssertAsync(
            async () =>
            {
                snapshot = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
                return snapshot.Sessions.Any(s => s.Pid == superSleeper.ProcessID);
            },
            TimeSpan.FromSeconds(30),
            "the low-privilege monitor sees the superuser's session");
        Assert.Contains(snapshot.Notes, n => n.Contains("pg_read_all_stats", StringComparison.Ordinal));
        Assert.Equal("<insufficient privilege>", snapshot.Sessions.Single(s => s.Pid == superSleeper.ProcessID).Query);

        foreach (var kind in new[] { SignalKind.Cancel, SignalKind.Terminate })
        {
            var result = Assert.Single(await BackendSignaller.SignalAsync(collector, kind, [superSleeper.ProcessID], TestContext.Current.CancellationToken));
            Assert.False(result.Succeeded);
            Assert.Contains("permission denied", result.Message, StringComparison.Ordinal);
        }

        // Refusals left both the monitor and the target working.
        Assert.Contains((await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken)).Sessions, s => s.Pid == superSleeper.ProcessID);
        Assert.False(sleep.IsCompleted);
        await PgFixture.ExecuteAsync(admin, $"SELECT pg_cancel_backend({superSleeper.ProcessID})");
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => sleep);
    }

    [Fact(Timeout = 120_000)]
    public async Task Explain_shows_a_plan_and_analyze_is_rolled_back()
    {
        var table = PgFixture.Unique("t_explain");
        await using var admin = await pg.OpenAsync();
        await PgFixture.ExecuteAsync(admin, $"CREATE TABLE {table} (id int primary key, v int); INSERT INTO {table} VALUES (1, 0)");
        await using var collector = new Collector(pg.Target());
        await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
        var connection = collector.ConnectionStringFor("postgres");

        var plan = await QueryExplainer.ExplainAsync(connection, Session($"SELECT * FROM {table} WHERE id = 1"), analyze: false, 150000, TestContext.Current.CancellationToken);
        Assert.Contains("Scan", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("actual time", plan, StringComparison.Ordinal);

        var analyzed = await QueryExplainer.ExplainAsync(connection, Session($"UPDATE {table} SET v = 99 WHERE id = 1"), analyze: true, 150000, TestContext.Current.CancellationToken);
        Assert.Contains("actual time", analyzed, StringComparison.Ordinal);
        await using (var check = new NpgsqlCommand($"SELECT v FROM {table} WHERE id = 1", admin))
        {
            Assert.Equal(0, (int)(await check.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
        }

        // A query text with a second statement is refused as a whole, never run in part.
        var refused = await QueryExplainer.ExplainAsync(connection, Session($"SELECT 1; DROP TABLE {table}"), analyze: true, 150000, TestContext.Current.CancellationToken);
        Assert.Contains("EXPLAIN failed", refused, StringComparison.Ordinal);
        await using (var exists = new NpgsqlCommand($"SELECT count(*) FROM {table}", admin))
        {
            Assert.Equal(1L, (long)(await exists.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
        }

        Assert.Contains("no query text", await QueryExplainer.ExplainAsync(connection, Session("<insufficient privilege>"), false, 150000, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Statements_screen_reads_pg_stat_statements_where_installed()
    {
        await using var collector = new Collector(pg.Target());
        await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
        var rows = await collector.UseConnectionAsync((c, ct) => StatementsReader.ReadAsync(c, 150000, 50, ct), TestContext.Current.CancellationToken);
        Assert.NotNull(rows);
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.True(r.Calls > 0));
        Assert.True(rows[0].TotalMs >= rows[^1].TotalMs);

        var database = PgFixture.Unique("t_nostat");
        await using (var admin = await pg.OpenAsync())
        {
            await PgFixture.ExecuteAsync(admin, $"CREATE DATABASE {database}");
        }

        await using var elsewhere = await pg.OpenAsync(database: database);
        Assert.Null(await StatementsReader.ReadAsync(elsewhere, 150000, 50, TestContext.Current.CancellationToken));
    }

    private static Session Session(string query) => new() { Pid = 1, BackendType = "client backend", Query = query, Database = "postgres" };
}
