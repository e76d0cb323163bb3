namespace Opskit.ReplCheck.Rules;

/// <summary>
/// <c>mysql.innodb_table_stats</c> and <c>mysql.innodb_index_stats</c> can be read (MySQL 5.6+, MariaDB 10.0+). When
/// their files exist but the server cannot open them, statistics and some DDL fail; the fix is the seed's recovery.
/// </summary>
internal sealed class StatsTablesRule : IRule
{
    public string Id => "innodb_stats_tables";

    public VersionRange Range => VersionRange.Any;

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var stats = context.Server.StatsTables;
        if (stats.Count == 0)
        {
            yield break;
        }

        var broken = stats.Where(s => s.Value is not null).ToList();
        var value = broken.Count == 0
            ? string.Join(", ", stats.Keys.Select(k => $"mysql.{k} readable"))
            : string.Join("; ", broken.Select(b => $"mysql.{b.Key}: {b.Value}"));
        yield return new CheckResult(Id, broken.Count == 0 ? CheckStatus.Ok : CheckStatus.Crit, value,
            "InnoDB keeps persistent optimizer statistics there; when the tables cannot be opened, statistics are lost and ANALYZE and some ALTERs fail.",
            RecoverySteps);
    }

    /// <summary>The recovery, in order, for statistics tables that exist on disk but cannot be queried.</summary>
    internal static Fix RecoverySteps { get; } = new([], [],
    [
        "1. DROP TABLE IF EXISTS mysql.innodb_index_stats, mysql.innodb_table_stats; (the server drops what its dictionary knows)",
        "2. stop the server cleanly",
        "3. in the datadir's mysql/ folder, move away any leftover innodb_index_stats.* and innodb_table_stats.* files (.frm, .ibd)",
        "4. start the server",
        "5. recreate both tables with the CREATE TABLE statements of your exact version (mysql_system_tables.sql in the server's share folder), or run mysql_upgrade / mariadb-upgrade --force",
        "6. check: SELECT COUNT(*) FROM mysql.innodb_table_stats; SELECT COUNT(*) FROM mysql.innodb_index_stats; then ANALYZE TABLE the busy tables",
    ]);
}
