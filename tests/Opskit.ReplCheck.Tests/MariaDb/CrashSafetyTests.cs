using System.Text.Json;
using Opskit.ReplCheck.Tests.Support;
using Opskit.Testing;

namespace Opskit.ReplCheck.Tests.MariaDb;

/// <summary>
/// The checks against a real MariaDB primary and replica, and the seed's drill: rows written on the primary, the
/// replica SIGKILLed, its current relay log overwritten with random bytes, the replica restarted.
/// </summary>
public sealed class CrashSafetyTests
{
    private static readonly string[] UnsafeReplica =
        ["--log-bin=replica-bin", "--log-slave-updates=ON", "--sync-binlog=0", "--innodb-flush-log-at-trx-commit=2"];

    [Fact]
    public async Task Unsafe_replica_is_critical_its_printed_fixes_make_it_ok_and_it_then_survives_a_corrupt_relay_log()
    {
        await using var pair = await ReplicationPair.StartAsync(UnsafeReplica, useGtid: "no");
        using var home = new TempDirectory("opskit-replcheck-home");
        await pair.Replica.ExecuteAsync("STOP SLAVE", "ALTER TABLE mysql.gtid_slave_pos ENGINE=MyISAM", "START SLAVE");
        await pair.WaitForReplicaAsync();

        var unsafeRun = await ReplCheckCli.RunAsync([.. ReplCheckCli.Root(pair.Replica), "--format", "json"], home.Path);
        Assert.True(unsafeRun.ExitCode == 2, unsafeRun.ToString());
        Assert.Equal("CRIT", unsafeRun.Json.GetProperty("status").GetString());
        Assert.Equal("mariadb", unsafeRun.Json.GetProperty("flavor").GetString());
        Assert.StartsWith("10.", unsafeRun.Json.GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.Equal("OK", unsafeRun.Status("replication_running"));
        Assert.Equal("OK", unsafeRun.Status("innodb_stats_tables"));
        Assert.Equal("CRIT", unsafeRun.Status("relay_log_recovery"));
        Assert.Equal("OFF", unsafeRun.Check("relay_log_recovery").GetProperty("value").GetString());
        Assert.Contains("relay_log_recovery = ON", Items(unsafeRun.Check("relay_log_recovery"), "config"));
        Assert.Equal("CRIT", unsafeRun.Status("gtid_in_use"));
        Assert.Contains("CHANGE MASTER TO MASTER_USE_GTID = slave_pos;", Items(unsafeRun.Check("gtid_in_use"), "statements"));
        Assert.Equal("CRIT", unsafeRun.Status("gtid_slave_pos_engine"));
        Assert.Contains("ALTER TABLE mysql.gtid_slave_pos ENGINE = InnoDB;", Items(unsafeRun.Check("gtid_slave_pos_engine"), "statements"));
        Assert.Equal("WARN", unsafeRun.Status("replica_sync_binlog"));
        Assert.Contains("SET GLOBAL sync_binlog = 1;", Items(unsafeRun.Check("replica_sync_binlog"), "statements"));
        Assert.Equal("WARN", unsafeRun.Status("replica_innodb_flush_log"));
        Assert.Contains("innodb_flush_log_at_trx_commit = 1", Items(unsafeRun.Check("replica_innodb_flush_log"), "config"));
        foreach (var check in unsafeRun.Json.GetProperty("checks").EnumerateArray())
        {
            Assert.False(string.IsNullOrWhiteSpace(check.GetProperty("why").GetString()), check.ToString());
        }

        var nagios = await ReplCheckCli.RunAsync([.. ReplCheckCli.Root(pair.Replica), "--format", "nagios"], home.Path);
        Assert.Equal(2, nagios.ExitCode);
        Assert.StartsWith("REPLCHECK CRITICAL - MariaDB 10.", nagios.Stdout, StringComparison.Ordinal);
        Assert.Contains("CRIT relay_log_recovery=OFF", nagios.Stdout.Split('\n')[0], StringComparison.Ordinal);

        // Apply what replcheck printed: the statements of every check that is not OK, then the my.cnf fragment.
        foreach (var check in unsafeRun.Json.GetProperty("checks").EnumerateArray().Where(c => c.GetProperty("status").GetString() != "OK"))
        {
            foreach (var statement in Items(check, "statements"))
            {
                await pair.Replica.ExecuteAsync(statement);
            }
        }

        var config = await ReplCheckCli.RunAsync([.. ReplCheckCli.Root(pair.Replica), "--print-config"], home.Path);
        Assert.True(config.ExitCode == 0, config.ToString());
        Assert.Contains("[mysqld]", config.Stdout, StringComparison.Ordinal);
        Assert.Contains("relay_log_recovery = ON", config.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("master_info_repository", config.Stdout, StringComparison.Ordinal);
        var fragment = Path.Combine(pair.Replica.Scratch, "replcheck.cnf");
        await File.WriteAllTextAsync(fragment, config.Stdout, TestContext.Current.CancellationToken);

        // The unsafe command-line options would override the file: the operator replaces those lines with the fragment.
        await pair.Replica.StopAsync();
        pair.Replica.Options.RemoveAll(o => o.StartsWith("--sync-binlog", StringComparison.Ordinal) || o.StartsWith("--innodb-flush-log", StringComparison.Ordinal));
        pair.Replica.DefaultsFile = fragment;
        await pair.Replica.RestartAsync();
        await pair.Primary.ExecuteAsync("SET GLOBAL binlog_expire_logs_seconds = 1209600");
        await pair.WaitForReplicaAsync();

        var fixedRun = await ReplCheckCli.RunAsync(
            [.. ReplCheckCli.Root(pair.Replica), "--format", "json", "--primary", $"h=127.0.0.1,P={pair.Primary.Port}"], home.Path);
        Assert.True(fixedRun.ExitCode == 0, fixedRun.ToString());
        Assert.All(fixedRun.Json.GetProperty("checks").EnumerateArray(), c => Assert.Equal("OK", c.GetProperty("status").GetString()));
        Assert.Equal("OK", fixedRun.Status("primary_binlog_retention"));
        Assert.StartsWith("14d", fixedRun.Check("primary_binlog_retention").GetProperty("value").GetString(), StringComparison.Ordinal);

        // The drill, with relay_log_recovery = ON now.
        var rows = await Drill.CrashWithCorruptRelayLogAsync(pair);
        await pair.WaitForReplicaAsync();
        Assert.Equal(rows.ToString(System.Globalization.CultureInfo.InvariantCulture), await pair.Replica.ScalarAsync("SELECT COUNT(*) FROM drill.t"));
        Assert.Equal(
            await pair.Primary.ScalarAsync("SELECT SUM(CRC32(payload)) FROM drill.t"),
            await pair.Replica.ScalarAsync("SELECT SUM(CRC32(payload)) FROM drill.t"));

        var afterDrill = await ReplCheckCli.RunAsync([.. ReplCheckCli.Root(pair.Replica), "--format", "nagios"], home.Path);
        Assert.True(afterDrill.ExitCode == 0, afterDrill.ToString());
        Assert.StartsWith("REPLCHECK OK - ", afterDrill.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_relay_log_recovery_a_corrupt_relay_log_stops_replication_and_replcheck_is_critical()
    {
        await using var pair = await ReplicationPair.StartAsync(["--relay-log-recovery=OFF"]);
        using var home = new TempDirectory("opskit-replcheck-home");

        var rows = await Drill.CrashWithCorruptRelayLogAsync(pair);

        Dictionary<string, string?>? status = null;
        await Eventually.AssertAsync(async () =>
        {
            status = await pair.Replica.RowAsync("SHOW SLAVE STATUS");
            return status is not null && (status["Slave_SQL_Running"] != "Yes" || status["Slave_IO_Running"] != "Yes");
        }, TimeSpan.FromSeconds(60), "replication stopping after the corrupt relay log");
        Assert.Contains("relay log", pair.Replica.Log, StringComparison.OrdinalIgnoreCase);
        Assert.True(int.Parse(await pair.Replica.ScalarAsync("SELECT COUNT(*) FROM drill.t") ?? "0", System.Globalization.CultureInfo.InvariantCulture) < rows);

        var run = await ReplCheckCli.RunAsync([.. ReplCheckCli.Root(pair.Replica), "--format", "json"], home.Path);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("CRIT", run.Status("replication_running"));
        Assert.Equal("CRIT", run.Status("relay_log_recovery"));
        Assert.Equal("OK", run.Status("gtid_in_use"));
    }

    private static List<string> Items(JsonElement check, string name) =>
        check.GetProperty("fix").GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToList();
}
