using Npgsql;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Tests;

/// <summary>
/// Two roots and a three-level chain: A holds a row of t1, B a row of t2; C holds a row of t3 and waits for A;
/// D waits for C (on t3); E waits for B. Tree: A → C → D and B → E. Sessions are tagged <c>{Tag}_a</c> … <c>_e</c>.
/// </summary>
internal sealed class LockChain : IAsyncDisposable
{
    private readonly List<NpgsqlConnection> _connections = [];
    private readonly List<Task> _waits = [];

    private readonly PgFixture _pg;

    private LockChain(PgFixture pg, string tag)
    {
        _pg = pg;
        Tag = tag;
    }

    public string Tag { get; }

    public int A { get; private set; }

    public int B { get; private set; }

    public int C { get; private set; }

    public int D { get; private set; }

    public int E { get; private set; }

    public static async Task<LockChain> CreateAsync(PgFixture pg)
    {
        var chain = new LockChain(pg, PgFixture.Unique("t_lock"));
        var t = chain.Tag;
        await using (var setup = await pg.OpenAsync(t + "_setup"))
        {
            await PgFixture.ExecuteAsync(setup, $"CREATE TABLE {t}_1 (id int primary key, v int); INSERT INTO {t}_1 VALUES (1, 0);" +
                $"CREATE TABLE {t}_2 (id int primary key, v int); INSERT INTO {t}_2 VALUES (1, 0);" +
                $"CREATE TABLE {t}_3 (id int primary key, v int); INSERT INTO {t}_3 VALUES (1, 0);");
        }

        var a = await chain.OpenAsync(pg, "a");
        var b = await chain.OpenAsync(pg, "b");
        var c = await chain.OpenAsync(pg, "c");
        var d = await chain.OpenAsync(pg, "d");
        var e = await chain.OpenAsync(pg, "e");
        chain.A = a.ProcessID;
        chain.B = b.ProcessID;
        chain.C = c.ProcessID;
        chain.D = d.ProcessID;
        chain.E = e.ProcessID;
        await PgFixture.ExecuteAsync(a, $"BEGIN; UPDATE {t}_1 SET v = 1 WHERE id = 1");
        await PgFixture.ExecuteAsync(b, $"BEGIN; UPDATE {t}_2 SET v = 1 WHERE id = 1");
        await PgFixture.ExecuteAsync(c, $"BEGIN; UPDATE {t}_3 SET v = 1 WHERE id = 1");
        chain._waits.Add(PgFixture.StartAsync(c, $"UPDATE {t}_1 SET v = 2 WHERE id = 1"));
        chain._waits.Add(PgFixture.StartAsync(d, $"UPDATE {t}_3 SET v = 2 WHERE id = 1"));
        chain._waits.Add(PgFixture.StartAsync(e, $"UPDATE {t}_2 SET v = 2 WHERE id = 1"));
        return chain;
    }

    /// <summary>True once C, D and E show as waiting on their blockers.</summary>
    public bool WaitersVisible(Snapshot snapshot)
    {
        bool Waits(int pid, int blocker) => snapshot.Sessions.Any(s => s.Pid == pid && s.BlockedBy.Contains(blocker));
        return Waits(C, A) && Waits(D, C) && Waits(E, B);
    }

    private async Task<NpgsqlConnection> OpenAsync(PgFixture pg, string letter)
    {
        var connection = await pg.OpenAsync($"{Tag}_{letter}");
        _connections.Add(connection);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        // Terminating the sessions from outside releases every lock; the waiting statements then fail.
        await using (var admin = await _pg.OpenAsync(Tag + "_cleanup"))
        {
            await using var command = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM unnest(@pids) AS pid", admin);
            command.Parameters.AddWithValue("pids", _connections.Select(c => c.ProcessID).ToArray());
            await command.ExecuteNonQueryAsync();
        }

        foreach (var wait in _waits)
        {
            try
            {
                await wait.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ObjectDisposedException or TimeoutException)
            {
                // Expected: the waiting statement's session was terminated.
            }
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
