using Npgsql;
using Opskit.PgTop.Collection;
using Opskit.PgTop.Model;
using Opskit.Testing;

namespace Opskit.PgTop.Tests.Collection;

/// <summary>What the collector must survive or get right on a real server: other encodings, many sessions, its own connection killed, lock waits.</summary>
public sealed class SurvivalTests(PgFixture pg)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task Query_text_of_a_latin1_database_is_read_not_fatal()
    {
        var database = PgFixture.Unique("t_latin1");
        await using (var admin = await pg.OpenAsync())
        {
            await PgFixture.ExecuteAsync(admin, $"CREATE DATABASE {database} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
        }

        try
        {
            var tag = PgFixture.Unique("t_enc");
            const string Text = "SELECT pg_sleep(60) /* café Grüße ñ */";
            Snapshot snapshot = null!;
            await using (var sleeper = await pg.OpenAsync(tag, database: database))
            {
                var sleep = PgFixture.StartAsync(sleeper, Text);
                // The monitor reads from the UTF8 database postgres; the sleeper's text is stored in LATIN1 bytes.
                await using var collector = new Collector(pg.Target());
                await Eventually.AssertAsync(
                    async () =>
                    {
                        snapshot = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
                        return snapshot.Sessions.Any(s => s.Application == tag && s.IsActive);
                    },
                    Wait,
                    "the LATIN1 session shows as active");
                var session = snapshot.Sessions.Single(s => s.Application == tag);
                Assert.Equal(Text, session.Query);
                Assert.Equal(database, session.Database);
                await using var canceller = await pg.OpenAsync();
                await PgFixture.ExecuteAsync(canceller, $"SELECT pg_cancel_backend({session.Pid})");
                await Assert.ThrowsAnyAsync<NpgsqlException>(() => sleep);
            }
        }
        finally
        {
            await using var admin = await pg.OpenAsync();
            await PgFixture.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task Many_sessions_are_counted_and_listed()
    {
        // Bounded by the fixture's max_connections (200): 120 of our own, beside whatever else runs.
        const int Count = 120;
        var tag = PgFixture.Unique("t_many");
        var connections = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < Count; i++)
            {
                connections.Add(await pg.OpenAsync(tag));
            }

            await using var collector = new Collector(pg.Target());
            var snapshot = await collector.CollectAsync(new CollectOptions(IncludeIdle: true), TestContext.Current.CancellationToken);
            Assert.Equal(Count, snapshot.Sessions.Count(s => s.Application == tag));
            Assert.All(snapshot.Sessions.Where(s => s.Application == tag), s => Assert.Equal("idle", s.State));
            Assert.True(snapshot.Counts.Idle >= Count, $"idle {snapshot.Counts.Idle}");
            Assert.True(snapshot.Counts.Total >= Count, $"total {snapshot.Counts.Total}");

            // Hidden idle sessions are still counted, not sent.
            var hidden = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
            Assert.DoesNotContain(hidden.Sessions, s => s.Application == tag);
            Assert.True(hidden.Counts.Idle >= Count);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Own_connection_terminated_is_a_collector_error_then_it_reconnects()
    {
        await using var collector = new Collector(pg.Target("dropped"));
        await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
        var before = collector.OwnPid;
        await using (var killer = await pg.OpenAsync())
        {
            await PgFixture.ExecuteAsync(killer, $"SELECT pg_terminate_backend({before})");
        }

        // Whatever the next refreshes see, it is a CollectorException (the reconnecting banner), never another
        // exception; then the collector is back on a new connection.
        Snapshot? after = null;
        var errors = 0;
        await Eventually.AssertAsync(
            async () =>
            {
                try
                {
                    after = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
                    return collector.OwnPid != before;
                }
                catch (CollectorException ex)
                {
                    Assert.StartsWith("dropped: ", ex.Message, StringComparison.Ordinal);
                    errors++;
                    return false;
                }
            },
            Wait,
            "the collector reconnects after its backend was terminated");
        Assert.True(errors >= 1, "the terminated connection was reported once");
        Assert.NotNull(after);
        Assert.DoesNotContain(after.Sessions, s => s.Pid == collector.OwnPid);
    }

    [Fact(Timeout = 120_000)]
    public async Task Lock_wait_is_measured_from_when_the_wait_began_not_from_statement_start()
    {
        var tag = PgFixture.Unique("t_wait");
        await using var holder = await pg.OpenAsync(tag + "_holder");
        await using var waiter = await pg.OpenAsync(tag + "_waiter");
        await PgFixture.ExecuteAsync(holder, $"CREATE TABLE {tag} (id int)");
        await PgFixture.ExecuteAsync(holder, $"BEGIN; LOCK TABLE {tag}");
        // The statement sleeps 3 s before it asks for the lock: its age exceeds its lock wait by about 3 s.
        var wait = PgFixture.StartAsync(waiter, $"DO $$ BEGIN PERFORM pg_sleep(3); LOCK TABLE {tag}; END $$");
        await using var collector = new Collector(pg.Target());
        Snapshot snapshot = null!;
        await Eventually.AssertAsync(
            async () =>
            {
                snapshot = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
                return snapshot.Sessions.Any(s => s.Application == tag + "_waiter" && s.WaitEventType == "Lock");
            },
            Wait,
            "the waiter waits on the lock");

        var session = snapshot.Sessions.Single(s => s.Application == tag + "_waiter");
        Assert.NotNull(session.LockWaitSeconds);
        Assert.True(session.QueryAgeSeconds - session.LockWaitSeconds >= 2.5, $"query age {session.QueryAgeSeconds}, lock wait {session.LockWaitSeconds}");
        var root = snapshot.LockTree.Single(n => n.Session.Application == tag + "_holder");
        Assert.Equal(session.LockWaitSeconds!.Value, root.MaxWaitSeconds, 6);
        // Sessions that do not wait on a lock have no lock wait.
        Assert.All(snapshot.Sessions.Where(s => s.WaitEventType != "Lock"), s => Assert.Null(s.LockWaitSeconds));

        await PgFixture.ExecuteAsync(holder, "ROLLBACK");
        await wait.WaitAsync(Wait, TestContext.Current.CancellationToken);
    }
}
