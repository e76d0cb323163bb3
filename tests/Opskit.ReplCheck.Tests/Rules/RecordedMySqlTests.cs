using Opskit.ReplCheck.Output;
using Opskit.ReplCheck.Rules;
using Opskit.ReplCheck.Server;
using Opskit.ReplCheck.Tests.Support;

namespace Opskit.ReplCheck.Tests.Rules;

/// <summary>MySQL-only rules through the rule engine, on servers recorded by hand from the MySQL manuals (Recorded/*.txt).</summary>
public sealed class RecordedMySqlTests
{
    [Fact]
    public void Mysql57_with_file_repositories_is_critical_with_set_global_fixes_and_the_stats_recovery()
    {
        var results = Evaluate("mysql-5.7-file-repositories.txt");

        var repositories = Single(results, "info_repositories");
        Assert.Equal(CheckStatus.Crit, repositories.Status);
        Assert.Equal("master_info_repository=FILE, relay_log_info_repository=FILE", repositories.Value);
        Assert.Equal(["STOP SLAVE;", "SET GLOBAL master_info_repository = 'TABLE';", "SET GLOBAL relay_log_info_repository = 'TABLE';", "START SLAVE;"], repositories.Fix.Statements);
        Assert.Equal(["master_info_repository = TABLE", "relay_log_info_repository = TABLE"], repositories.Fix.ConfigLines);

        var engines = Single(results, "meta_tables_engine");
        Assert.Equal(CheckStatus.Crit, engines.Status);
        Assert.Contains("ALTER TABLE mysql.slave_relay_log_info ENGINE = InnoDB;", engines.Fix.Statements);

        var sync = Single(results, "sync_info");
        Assert.Equal(CheckStatus.Warn, sync.Status);
        Assert.Contains("write", sync.Why, StringComparison.Ordinal);
        Assert.Contains("SET GLOBAL sync_master_info = 1;", sync.Fix.Statements);

        var recovery = Single(results, "relay_log_recovery");
        Assert.Equal(CheckStatus.Crit, recovery.Status);
        Assert.Empty(recovery.Fix.Statements);
        Assert.Contains("restart", recovery.Fix.Steps[0], StringComparison.Ordinal);

        var stats = Single(results, "innodb_stats_tables");
        Assert.Equal(CheckStatus.Crit, stats.Status);
        Assert.Contains("innodb_index_stats: error 1146", stats.Value, StringComparison.Ordinal);
        Assert.StartsWith("1. DROP TABLE", stats.Fix.Steps[0], StringComparison.Ordinal);
        Assert.Equal(6, stats.Fix.Steps.Count);

        Assert.Equal(CheckStatus.Ok, Single(results, "replication_running").Status);
        Assert.DoesNotContain(results, r => r.Id is "deprecated_repository_options" or "crash_safe_position" or "gtid_in_use" or "gtid_slave_pos_engine");
        Assert.Equal(CheckStatus.Crit, RuleSet.Overall(results));
    }

    [Fact]
    public void Mysql57_with_the_seeds_settings_is_ok()
    {
        var results = Evaluate("mysql-5.7-crash-safe.txt");
        Assert.All(results, r => Assert.True(r.Status == CheckStatus.Ok, $"{r.Id}: {r.Status} {r.Value}"));
        Assert.Contains(results, r => r.Id == "info_repositories");
        Assert.Contains(results, r => r.Id == "sync_info");
        Assert.DoesNotContain(results, r => r.Id == "replica_sync_binlog"); // log_slave_updates is off
    }

    [Fact]
    public void Mysql80_before_8_0_23_uses_set_persist_and_persist_only_for_read_only_variables()
    {
        var results = Evaluate("mysql-8.0.20-defaults.txt");
        Assert.Equal(CheckStatus.Ok, Single(results, "info_repositories").Status);
        var recovery = Single(results, "relay_log_recovery");
        Assert.Equal(CheckStatus.Crit, recovery.Status);
        Assert.Equal(["SET PERSIST_ONLY relay_log_recovery = ON;"], recovery.Fix.Statements);
        var sync = Single(results, "sync_info");
        Assert.Equal(CheckStatus.Warn, sync.Status);
        Assert.Contains("SET PERSIST sync_relay_log_info = 1;", sync.Fix.Statements);
        Assert.DoesNotContain(results, r => r.Id == "deprecated_repository_options");
    }

    [Fact]
    public void Mysql80_after_8_0_23_flags_file_repository_missing_position_safety_commit_order_and_the_stopped_applier()
    {
        var results = Evaluate("mysql-8.0.36-file-repository.txt");
        var deprecated = Single(results, "deprecated_repository_options");
        Assert.Equal(CheckStatus.Crit, deprecated.Status);
        Assert.Contains("master_info_repository=FILE", deprecated.Value, StringComparison.Ordinal);
        Assert.Contains("RESET PERSIST IF EXISTS master_info_repository;", deprecated.Fix.Statements);

        Assert.Equal(CheckStatus.Crit, Single(results, "crash_safe_position").Status);
        Assert.Contains("CHANGE REPLICATION SOURCE TO SOURCE_AUTO_POSITION = 1;", Single(results, "crash_safe_position").Fix.Statements);

        var order = Single(results, "preserve_commit_order");
        Assert.Equal(CheckStatus.Warn, order.Status);
        Assert.Contains("SET PERSIST replica_preserve_commit_order = ON;", order.Fix.Statements);

        var running = Single(results, "replication_running");
        Assert.Equal(CheckStatus.Crit, running.Status);
        Assert.Contains("Duplicate entry '1042'", running.Value, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Crit, Single(results, "replication_lag").Status);
        Assert.Equal(CheckStatus.Warn, Single(results, "replica_innodb_flush_log").Status);
        Assert.Equal(CheckStatus.Crit, Single(results, "relay_log_recovery").Status);
        Assert.DoesNotContain(results, r => r.Id is "info_repositories" or "sync_info");
    }

    [Fact]
    public void Mysql80_with_auto_position_only_warns_about_relay_log_recovery_and_an_explicit_table_repository()
    {
        var results = Evaluate("mysql-8.0.36-gtid-table-explicit.txt");
        Assert.Equal(CheckStatus.Warn, Single(results, "relay_log_recovery").Status);
        Assert.Equal(CheckStatus.Ok, Single(results, "crash_safe_position").Status);
        var deprecated = Single(results, "deprecated_repository_options");
        Assert.Equal(CheckStatus.Warn, deprecated.Status);
        Assert.Contains("relay_log_info_repository from GLOBAL", deprecated.Value, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Ok, Single(results, "preserve_commit_order").Status);
        Assert.Equal(CheckStatus.Warn, Single(results, "replication_lag").Status); // 200 s > half of 300 s
        Assert.Equal(CheckStatus.Warn, RuleSet.Overall(results));
    }

    [Fact]
    public void Mysql84_multi_source_is_ok_per_channel_and_its_config_has_no_removed_options()
    {
        var snapshot = RecordedServer.Load("mysql-8.4-multi-source.txt");
        var results = RuleSet.Evaluate(new RuleContext(snapshot, null, null, CheckThresholds.Default));
        Assert.All(results, r => Assert.True(r.Status == CheckStatus.Ok, $"{r.Id}: {r.Status} {r.Value}"));
        Assert.Equal(["orders", "billing"], results.Where(r => r.Id == "replication_running").Select(r => r.Channel));
        Assert.Equal("removed in this version", Single(results, "deprecated_repository_options").Value);

        var config = ConfigFragmentWriter.Format(snapshot, CheckThresholds.Default);
        Assert.Contains("relay_log_recovery = ON\n", config, StringComparison.Ordinal);
        Assert.Contains("replica_preserve_commit_order = ON\n", config, StringComparison.Ordinal);
        Assert.Contains("# binlog_expire_logs_seconds = 604800\n", config, StringComparison.Ordinal);
        Assert.DoesNotContain("repository", config, StringComparison.Ordinal);
        Assert.DoesNotContain("gtid_pos_auto_engines", config, StringComparison.Ordinal);
    }

    [Fact]
    public void Mysql57_config_fragment_has_the_seeds_settings()
    {
        var config = ConfigFragmentWriter.Format(RecordedServer.Load("mysql-5.7-file-repositories.txt"), CheckThresholds.Default);
        foreach (var line in new[] { "master_info_repository = TABLE", "relay_log_info_repository = TABLE", "relay_log_recovery = ON", "sync_master_info = 1", "sync_relay_log_info = 1", "# expire_logs_days = 7" })
        {
            Assert.Contains(line + "\n", config, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Primary_retention_shorter_than_the_lag_is_critical_and_below_the_minimum_warns()
    {
        var replica = RecordedServer.Load("mysql-8.0.36-file-repository.txt"); // 700 s behind
        var primary = RecordedServer.Load("mysql-8.4-multi-source.txt");
        ServerSnapshot WithRetention(string seconds) =>
            primary with { Variables = new Dictionary<string, string>(primary.Variables, StringComparer.OrdinalIgnoreCase) { ["binlog_expire_logs_seconds"] = seconds } };
        CheckResult Retention(ServerSnapshot p) =>
            Single(RuleSet.Evaluate(new RuleContext(replica, p, null, CheckThresholds.Default)), "primary_binlog_retention");

        Assert.Equal(CheckStatus.Crit, Retention(WithRetention("600")).Status);
        Assert.Equal(CheckStatus.Warn, Retention(WithRetention("86400")).Status);
        Assert.Equal(CheckStatus.Ok, Retention(WithRetention("1209600")).Status);
        Assert.Equal(CheckStatus.Ok, Retention(WithRetention("0")).Status);
        Assert.Contains("SET PERSIST binlog_expire_logs_seconds = 604800;", Retention(WithRetention("86400")).Fix.Statements);
        Assert.DoesNotContain(RuleSet.Evaluate(new RuleContext(replica, null, null, CheckThresholds.Default)), r => r.Id == "primary_binlog_retention");
    }

    private static IReadOnlyList<CheckResult> Evaluate(string file) =>
        RuleSet.Evaluate(new RuleContext(RecordedServer.Load(file), null, null, CheckThresholds.Default));

    private static CheckResult Single(IEnumerable<CheckResult> results, string id) =>
        Assert.Single(results, r => r.Id == id);
}
