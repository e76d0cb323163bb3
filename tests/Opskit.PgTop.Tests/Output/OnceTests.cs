using System.Text.Json;
using Npgsql;
using Opskit.PgTop.Collection;
using Opskit.Testing;

namespace Opskit.PgTop.Tests.Output;

public sealed class OnceTests(PgFixture pg)
{
    private string Uri => $"postgresql://postgres@127.0.0.1:{pg.Server.Port}/postgres";

    [Fact(Timeout = 120_000)]
    public async Task Json_lists_sessions_and_lock_tree_and_fail_on_blocked_exits_2()
    {
        await using var chain = await LockChain.CreateAsync(pg);
        await using (var collector = new Collector(pg.Target()))
        {
            await Eventually.AssertAsync(
                async () => chain.WaitersVisible(await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken)),
                TimeSpan.FromSeconds(30),
                "the lock chain forms");
        }

        var filter = $"/^{chain.Tag}_/";
        var (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--format", "json", "--server", $"main={Uri}", "--filter-application", filter, "--fail-on", "blocked"]);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains("blocked", stderr, StringComparison.OrdinalIgnoreCase);
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        Assert.Equal("main", root.GetProperty("server").GetProperty("name").GetString());
        Assert.False(root.GetProperty("server").GetProperty("in_recovery").GetBoolean());
        Assert.StartsWith("1", root.GetProperty("server").GetProperty("version").GetString(), StringComparison.Ordinal);
        var sessions = root.GetProperty("sessions").EnumerateArray().ToList();
        Assert.All(sessions, s => Assert.StartsWith(chain.Tag, s.GetProperty("application").GetString(), StringComparison.Ordinal));
        var d = sessions.Single(s => s.GetProperty("pid").GetInt32() == chain.D);
        Assert.Equal([chain.C], d.GetProperty("blocked_by").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("Lock", d.GetProperty("wait_event_type").GetString());
        Assert.Equal("active", d.GetProperty("state").GetString());
        Assert.Equal("postgres", d.GetProperty("database").GetString());
        Assert.Equal("postgres", d.GetProperty("user").GetString());
        Assert.Equal("127.0.0.1", d.GetProperty("client").GetString());
        Assert.Equal("client backend", d.GetProperty("backend_type").GetString());
        Assert.Contains("UPDATE", d.GetProperty("query").GetString(), StringComparison.Ordinal);
        Assert.True(d.GetProperty("query_age_s").GetDouble() >= 0);
        Assert.True(d.GetProperty("xact_age_s").GetDouble() >= 0);
        Assert.Equal(5, sessions.Count);

        var tree = root.GetProperty("lock_tree").EnumerateArray().ToList();
        var a = tree.Single(n => n.GetProperty("pid").GetInt32() == chain.A);
        Assert.Equal(2, a.GetProperty("blocked_count").GetInt32());
        Assert.True(a.GetProperty("max_wait_s").GetDouble() > 0);
        var c = Assert.Single(a.GetProperty("blocked").EnumerateArray());
        Assert.Equal(chain.C, c.GetProperty("pid").GetInt32());
        Assert.Equal(chain.D, Assert.Single(c.GetProperty("blocked").EnumerateArray()).GetProperty("pid").GetInt32());
        var b = tree.Single(n => n.GetProperty("pid").GetInt32() == chain.B);
        Assert.Equal(1, b.GetProperty("blocked_count").GetInt32());
        Assert.DoesNotContain(tree, n => n.GetProperty("pid").GetInt32() == chain.C);

        var totals = root.GetProperty("totals");
        Assert.True(totals.GetProperty("waiting_on_lock").GetInt32() >= 3);
        Assert.Equal(3, totals.GetProperty("blocked").GetInt32());
        Assert.Equal(200, totals.GetProperty("max_connections").GetInt32());

        // A condition that does not hold: exit 0.
        var (calm, _, calmErr) = await PgTopProcess.RunAsync(["--once", "--format", "json", "--server", $"main={Uri}", "--filter-application", filter, "--fail-on", "slow", "--slow-threshold", "3600"]);
        Assert.True(calm == 0, calmErr);
    }

    [Fact(Timeout = 120_000)]
    public async Task Fail_on_idle_in_transaction_and_slow_follow_their_thresholds()
    {
        var tag = PgFixture.Unique("t_fail");
        await using var iit = await pg.OpenAsync(tag + "_iit");
        await using var sleeper = await pg.OpenAsync(tag + "_sleep");
        await PgFixture.ExecuteAsync(iit, "BEGIN; SELECT 1");
        var sleep = PgFixture.StartAsync(sleeper, "SELECT pg_sleep(60)");
        string[] common = ["--once", "--format", "json", "-h", "127.0.0.1", "-p", pg.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "--filter-application", $"/^{tag}_/"];

        var (code, _, stderr) = await PgTopProcess.RunAsync([.. common, "--fail-on", "idle-in-transaction"]);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        (code, _, stderr) = await PgTopProcess.RunAsync([.. common, "--fail-on", "idle-in-transaction", "--idle-in-transaction-threshold", "3600"]);
        Assert.True(code == 0, $"exit {code}: {stderr}");

        await Eventually.AssertAsync(
            async () => (await PgTopProcess.RunAsync([.. common, "--fail-on", "slow", "--slow-threshold", "0.5"])).ExitCode == 2,
            TimeSpan.FromSeconds(30),
            "the pg_sleep counts as slow past 0.5 s");
        (code, var stdout, stderr) = await PgTopProcess.RunAsync([.. common, "--fail-on", "slow,blocked", "--slow-threshold", "3600"]);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        using var document = JsonDocument.Parse(stdout);
        Assert.Contains(document.RootElement.GetProperty("sessions").EnumerateArray(), s => s.GetProperty("query").GetString() == "SELECT pg_sleep(60)" && !s.GetProperty("slow").GetBoolean());

        await using var admin = await pg.OpenAsync();
        await PgFixture.ExecuteAsync(admin, $"SELECT pg_cancel_backend({sleeper.ProcessID})");
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => sleep);
    }

    [Fact(Timeout = 120_000)]
    public async Task Connection_error_exits_1_with_one_line_and_no_password()
    {
        var port = FreePort.Tcp();
        var (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--format", "json", "--server", $"postgresql://postgres:hunter2@127.0.0.1:{port}/postgres", "--fail-on", "blocked"]);
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout.Trim());
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("opskit pgtop: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Bad_options_exit_1_with_one_line()
    {
        foreach (var args in new[] { new[] { "--once", "--format", "xml" }, ["--once", "--refresh", "0.1"], ["--once", "--fail-on", "sometimes"], ["--once", "--filter-user", "/(/"], ["--once", "--server", "host=x port=notaport"] })
        {
            var (code, _, stderr) = await PgTopProcess.RunAsync(args);
            Assert.Equal(1, code);
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Ndjson_has_one_line_per_server_and_csv_one_row_per_session()
    {
        var tag = PgFixture.Unique("t_fmt");
        await using var iit = await pg.OpenAsync(tag + "_iit");
        await PgFixture.ExecuteAsync(iit, "BEGIN; SELECT 42");
        var kv = $"host=127.0.0.1 port={pg.Server.Port} user=postgres dbname=postgres";
        var (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--format", "ndjson", "--server", $"first={Uri}", "--server", $"second={kv}", "--filter-application", tag]);
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(["first", "second"], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("server").GetProperty("name").GetString()));
        Assert.All(lines, l => Assert.Equal(iit.ProcessID, JsonDocument.Parse(l).RootElement.GetProperty("sessions")[0].GetProperty("pid").GetInt32()));

        (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--format", "csv", "--server", $"first={Uri}", "--filter-application", tag]);
        Assert.True(code == 0, stderr);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("server,pid,", rows[0], StringComparison.Ordinal);
        var row = Assert.Single(rows.Skip(1));
        Assert.StartsWith($"first,{iit.ProcessID},", row, StringComparison.Ordinal);
        Assert.Contains("idle in transaction", row, StringComparison.Ordinal);
        Assert.EndsWith(",false,SELECT 42", row.TrimEnd('\r'), StringComparison.Ordinal);

        (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--server", $"first={Uri}", "--filter-application", tag]);
        Assert.True(code == 0, stderr);
        Assert.Contains("first - PostgreSQL", stdout, StringComparison.Ordinal);
        Assert.Contains($"{iit.ProcessID}", stdout, StringComparison.Ordinal);
        Assert.Contains("SELECT 42", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Environment_variables_connect_like_psql()
    {
        var env = new Dictionary<string, string>
        {
            ["PGHOST"] = "127.0.0.1",
            ["PGPORT"] = pg.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = "postgres",
            ["PGDATABASE"] = "postgres",
        };
        var (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--format", "json"], env);
        Assert.True(code == 0, stderr);
        Assert.Equal($"127.0.0.1:{pg.Server.Port}/postgres", JsonDocument.Parse(stdout).RootElement.GetProperty("server").GetProperty("name").GetString());
    }

    [Fact(Timeout = 120_000)]
    public async Task Once_takes_two_samples_so_rates_are_filled_and_interval_zero_takes_one()
    {
        var (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--format", "json", "--server", $"main={Uri}", "--once-interval", "0.5"]);
        Assert.True(code == 0, stderr);
        var totals = JsonDocument.Parse(stdout).RootElement.GetProperty("totals");
        Assert.Equal(JsonValueKind.Number, totals.GetProperty("tps").ValueKind);
        Assert.True(totals.GetProperty("tps").GetDouble() >= 0);
        Assert.Equal(JsonValueKind.Number, totals.GetProperty("inserted_per_s").ValueKind);

        (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--format", "json", "--server", $"main={Uri}", "--once-interval", "0"]);
        Assert.True(code == 0, stderr);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(stdout).RootElement.GetProperty("totals").GetProperty("tps").ValueKind);

        (code, _, stderr) = await PgTopProcess.RunAsync(["--once", "--server", $"main={Uri}", "--once-interval", "61"]);
        Assert.Equal(1, code);
        Assert.Contains("--once-interval", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Db_size_lists_database_sizes_only_when_asked()
    {
        var (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--format", "json", "--server", $"main={Uri}", "--once-interval", "0", "--db-size"]);
        Assert.True(code == 0, stderr);
        var sizes = JsonDocument.Parse(stdout).RootElement.GetProperty("database_sizes").EnumerateArray().ToList();
        var postgres = sizes.Single(s => s.GetProperty("name").GetString() == "postgres");
        Assert.True(postgres.GetProperty("bytes").GetInt64() > 1_000_000, postgres.GetRawText());

        (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--format", "json", "--server", $"main={Uri}", "--once-interval", "0"]);
        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.True(!root.TryGetProperty("database_sizes", out var none) || none.ValueKind == JsonValueKind.Null, stdout);

        (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--server", $"main={Uri}", "--once-interval", "0", "--db-size"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("sizes: ", stdout, StringComparison.Ordinal);
        Assert.Contains(" postgres ", stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task Two_servers_each_with_its_name()
    {
        await using var second = await PostgresServer.StartAsync();
        var secondUri = $"postgresql://postgres@127.0.0.1:{second.Port}/postgres";
        var (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--format", "json", "--once-interval", "0", "--server", $"one={Uri}", "--server", $"two={secondUri}"]);
        Assert.True(code == 0, stderr);
        var servers = JsonDocument.Parse(stdout).RootElement.EnumerateArray().Select(d => d.GetProperty("server")).ToList();
        Assert.Equal(["one", "two"], servers.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(200, servers[0].GetProperty("max_connections").GetInt32());
        Assert.NotEqual(200, servers[1].GetProperty("max_connections").GetInt32());

        (code, stdout, stderr) = await PgTopProcess.RunAsync(["--once", "--once-interval", "0", "--server", $"one={Uri}", "--server", $"two={secondUri}"]);
        Assert.True(code == 0, stderr);
        Assert.True(stdout.IndexOf("one - PostgreSQL", StringComparison.Ordinal) is >= 0 and var one && stdout.IndexOf("two - PostgreSQL", StringComparison.Ordinal) > one, stdout);
    }
}
