using System.Diagnostics;
using System.Globalization;
using Opskit.ReplCheck.Tests.Support;
using Opskit.Testing;

namespace Opskit.ReplCheck.Tests.MariaDb;

/// <summary>Connecting like the mysql client, and UNKNOWN (exit 3) with one line for every way a check cannot run.</summary>
public sealed class ConnectionAndFailureTests(StandaloneServerFixture fixture) : IClassFixture<StandaloneServerFixture>
{
    private readonly TempDirectory _home = new("opskit-replcheck-home");

    private string Port => fixture.Server.Port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Wrong_password_is_unknown_with_the_reason_and_never_the_password()
    {
        var run = await ReplCheckCli.RunAsync(["-h", "127.0.0.1", "-P", Port, "-u", "monitor", "-pnot-the-Pw", "--format", "nagios"], _home.Path);
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.StartsWith("REPLCHECK UNKNOWN - 127.0.0.1:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("login refused", run.Stdout, StringComparison.Ordinal);
        AssertClean(run, "not-the-Pw");
    }

    [Fact]
    public async Task Port_where_nothing_listens_is_unknown_cannot_connect()
    {
        var port = FreePort.Tcp();
        var run = await ReplCheckCli.RunAsync(["-h", "127.0.0.1", "-P", port.ToString(CultureInfo.InvariantCulture), "-u", "root", "--format", "json"], _home.Path);
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Equal("UNKNOWN", run.Json.GetProperty("status").GetString());
        Assert.Contains("cannot connect", run.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
        AssertClean(run, null);
    }

    [Fact]
    public async Task Unreachable_replica_is_unknown_even_when_the_primary_answers()
    {
        var port = FreePort.Tcp().ToString(CultureInfo.InvariantCulture);
        var run = await ReplCheckCli.RunAsync(["-h", "127.0.0.1", "-P", port, "-u", "root", "--primary", $"h=127.0.0.1,P={Port}", "--format", "nagios"], _home.Path);
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.StartsWith($"REPLCHECK UNKNOWN - 127.0.0.1:{port}: cannot connect", run.Stdout, StringComparison.Ordinal);
        AssertClean(run, null);
    }

    [Fact]
    public async Task Server_that_accepts_and_never_answers_is_unknown_after_the_timeout()
    {
        using var silent = new SilentListener();
        var watch = Stopwatch.StartNew();
        var run = await ReplCheckCli.RunAsync(["-h", "127.0.0.1", "-P", silent.Port.ToString(CultureInfo.InvariantCulture), "-u", "root", "--timeout", "1s", "--format", "nagios"], _home.Path);
        watch.Stop();
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.True(silent.Accepted >= 1, "the listener never saw the connection");
        Assert.Contains("no answer within 1 s", run.Stdout, StringComparison.Ordinal);
        // 1 s timeout plus the start of a .NET process on a loaded machine; far below the 5 s default.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        AssertClean(run, null);
    }

    [Fact]
    public async Task Query_that_blocks_is_unknown_after_the_timeout()
    {
        // A WRITE lock held by another session blocks replcheck's SELECT on the statistics table: a query, not the login, hangs.
        await using var locker = new MySqlConnector.MySqlConnection(fixture.Server.RootConnectionString);
        await locker.OpenAsync(TestContext.Current.CancellationToken);
        await using (var lockCommand = new MySqlConnector.MySqlCommand("LOCK TABLES mysql.innodb_table_stats WRITE", locker))
        {
            await lockCommand.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var watch = Stopwatch.StartNew();
        var run = await ReplCheckCli.RunAsync(["-h", "127.0.0.1", "-P", Port, "-u", "root", "--timeout", "1s", "--format", "nagios"], _home.Path);
        watch.Stop();
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("no answer within 1 s", run.Stdout, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        AssertClean(run, null);

        await using var unlock = new MySqlConnector.MySqlCommand("UNLOCK TABLES", locker);
        await unlock.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task User_without_privileges_is_unknown_missing_privileges()
    {
        var run = await ReplCheckCli.RunAsync(["-h", "127.0.0.1", "-P", Port, "-u", "checker", $"--password={StandaloneServerFixture.Password}"], _home.Path);
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("missing privileges", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("could not check", run.Stderr, StringComparison.Ordinal);
        AssertClean(run, StandaloneServerFixture.Password);
    }

    [Fact]
    public async Task Server_that_is_not_a_replica_warns_and_still_checks_its_settings()
    {
        var run = await ReplCheckCli.RunAsync(["-h", "127.0.0.1", "-P", Port, "-u", "monitor", "-p", StandaloneServerFixture.Password, "--format", "json"], _home.Path);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.False(run.Json.GetProperty("replica").GetBoolean());
        Assert.Equal("WARN", run.Status("replication_running"));
        Assert.Equal("CRIT", run.Status("relay_log_recovery"));
        Assert.Equal("OK", run.Status("innodb_stats_tables"));
    }

    [Fact]
    public async Task Password_comes_from_MYSQL_PWD_then_my_cnf_then_defaults_file_and_the_command_line_wins()
    {
        string[] args = ["-h", "127.0.0.1", "-P", Port, "-u", "monitor", "--format", "json"];
        var fromEnvironment = await ReplCheckCli.RunAsync(args, _home.Path, new Dictionary<string, string> { ["MYSQL_PWD"] = StandaloneServerFixture.Password });
        Assert.True(fromEnvironment.Json.TryGetProperty("flavor", out _), fromEnvironment.ToString());

        await File.WriteAllTextAsync(Path.Combine(_home.Path, ".my.cnf"), $"[mysql]\npassword=wrong\n[client]\nuser = monitor\npassword = \"{StandaloneServerFixture.Password}\"\nport={Port}\nhost=127.0.0.1\n", TestContext.Current.CancellationToken);
        var fromMyCnf = await ReplCheckCli.RunAsync(["--format", "json"], _home.Path, new Dictionary<string, string> { ["MYSQL_PWD"] = "wrong" });
        Assert.True(fromMyCnf.Json.TryGetProperty("flavor", out _), fromMyCnf.ToString());

        var commandLineWins = await ReplCheckCli.RunAsync(["-p", "wrong", "--format", "json"], _home.Path);
        Assert.Equal(3, commandLineWins.ExitCode);
        File.Delete(Path.Combine(_home.Path, ".my.cnf"));

        var defaults = Path.Combine(_home.Path, "replcheck.cnf");
        await File.WriteAllTextAsync(defaults, $"# monitoring login\n[client]\nuser=monitor\npassword={StandaloneServerFixture.Password}\nsocket={fixture.Server.Socket}\n", TestContext.Current.CancellationToken);
        var fromDefaultsFile = await ReplCheckCli.RunAsync(["--defaults-file", defaults, "--format", "json"], _home.Path);
        Assert.True(fromDefaultsFile.Json.TryGetProperty("flavor", out _), fromDefaultsFile.ToString());
        Assert.Equal(fixture.Server.Socket, fromDefaultsFile.Json.GetProperty("endpoint").GetString());
    }

    [Fact]
    public async Task Socket_is_used_for_localhost_as_in_the_mysql_client()
    {
        var run = await ReplCheckCli.RunAsync(["-S", fixture.Server.Socket, "-u", "monitor", "-p", StandaloneServerFixture.Password, "--format", "json"], _home.Path);
        Assert.True(run.Json.TryGetProperty("flavor", out _), run.ToString());
        Assert.Equal(fixture.Server.Socket, run.Json.GetProperty("endpoint").GetString());
    }

    [Fact]
    public async Task Primary_binlog_retention_is_compared_with_the_minimum()
    {
        string[] args = ["-h", "127.0.0.1", "-P", Port, "-u", "root", "--format", "json", "--primary", $"h=127.0.0.1,P={Port}"];
        await fixture.Server.ExecuteAsync("SET GLOBAL binlog_expire_logs_seconds = 86400");
        try
        {
            var tooShort = await ReplCheckCli.RunAsync(args, _home.Path);
            Assert.Equal("WARN", tooShort.Status("primary_binlog_retention"));
            Assert.Contains("SET GLOBAL binlog_expire_logs_seconds = 604800;", tooShort.Check("primary_binlog_retention").GetProperty("fix").GetProperty("statements").EnumerateArray().Select(e => e.GetString()));

            var enough = await ReplCheckCli.RunAsync([.. args, "--min-binlog-retention", "12h"], _home.Path);
            Assert.Equal("OK", enough.Status("primary_binlog_retention"));

            var unreachable = await ReplCheckCli.RunAsync([.. args[..^1], $"h=127.0.0.1,P={FreePort.Tcp()}"], _home.Path);
            Assert.Equal("UNKNOWN", unreachable.Status("primary_binlog_retention"));
        }
        finally
        {
            await fixture.Server.ExecuteAsync("SET GLOBAL binlog_expire_logs_seconds = 0");
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-?")]
    public async Task Help_is_on_help_and_question_mark_and_lists_h_as_the_host(string option)
    {
        var run = await ReplCheckCli.RunAsync([option], _home.Path);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("-h, --host", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("-?, --help", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--format", "xml")]
    [InlineData("--timeout", "soon")]
    [InlineData("-P", "70000")]
    [InlineData("--defaults-file", "/nonexistent/replcheck.cnf")]
    [InlineData("--primary", "x=1")]
    [InlineData("--no-such-option", "1")]
    [InlineData("--port", "")]
    public async Task Bad_usage_is_one_line_on_stderr_and_unknown(string option, string value)
    {
        var run = await ReplCheckCli.RunAsync([option, value], _home.Path);
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("opskit replcheck: ", run.Stderr, StringComparison.Ordinal);
        AssertClean(run, null);
    }

    private static void AssertClean(ReplCheckCli.Result run, string? secret)
    {
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stdout + run.Stderr, StringComparison.Ordinal);
        if (secret is not null)
        {
            Assert.DoesNotContain(secret, run.Stdout + run.Stderr, StringComparison.Ordinal);
        }
    }
}
