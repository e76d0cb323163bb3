using Opskit.ReplCheck.Tests.Support;
using Opskit.Testing;

namespace Opskit.ReplCheck.Tests.MariaDb;

/// <summary>
/// <c>mysql.innodb_index_stats</c> whose tablespace file is gone (it exists in the dictionary, cannot be queried):
/// replcheck says CRIT, and following its printed recovery steps makes it OK again.
/// </summary>
public sealed class StatsTablesTests
{
    [Fact]
    public async Task Unreadable_stats_table_is_critical_and_the_printed_recovery_steps_repair_it()
    {
        await using var server = await MariaDbServer.StartAsync(9, []);
        using var home = new TempDirectory("opskit-replcheck-home");
        await server.StopAsync();
        File.Delete(Path.Combine(server.DataDirectory, "mysql", "innodb_index_stats.ibd"));
        await server.RestartAsync();

        var broken = await ReplCheckCli.RunAsync([.. ReplCheckCli.Root(server), "--format", "json"], home.Path);
        Assert.Equal("CRIT", broken.Status("innodb_stats_tables"));
        Assert.Contains("mysql.innodb_index_stats: error", broken.Check("innodb_stats_tables").GetProperty("value").GetString(), StringComparison.Ordinal);
        var steps = broken.Check("innodb_stats_tables").GetProperty("fix").GetProperty("steps").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Equal(6, steps.Count);

        // Steps 1-4: drop, stop, move leftovers away, start.
        Assert.StartsWith("1. DROP TABLE IF EXISTS mysql.innodb_index_stats, mysql.innodb_table_stats;", steps[0], StringComparison.Ordinal);
        await server.ExecuteAsync("DROP TABLE IF EXISTS mysql.innodb_index_stats, mysql.innodb_table_stats");
        await server.StopAsync();
        foreach (var leftover in Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "mysql"), "innodb_*_stats.*"))
        {
            File.Move(leftover, Path.Combine(server.Scratch, Path.GetFileName(leftover)));
        }

        await server.RestartAsync();

        // Step 5: the CREATE TABLE statements of this exact version, from its mysql_system_tables.sql.
        var systemTables = await File.ReadAllTextAsync(SystemTablesSql(), TestContext.Current.CancellationToken);
        await server.ExecuteAsync("USE mysql", CreateStatement(systemTables, "innodb_table_stats"), CreateStatement(systemTables, "innodb_index_stats"));

        var repaired = await ReplCheckCli.RunAsync([.. ReplCheckCli.Root(server), "--format", "json"], home.Path);
        Assert.True(repaired.Status("innodb_stats_tables") == "OK", repaired.ToString());
    }

    private static string SystemTablesSql()
    {
        const string Path = "/usr/share/mysql/mysql_system_tables.sql";
        if (!File.Exists(Path))
        {
            Assert.Fail($"{Path} is missing; install apt: mariadb-server");
        }

        return Path;
    }

    private static string CreateStatement(string systemTables, string table)
    {
        var marker = $"SET @create_{table}=\"";
        var start = systemTables.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no CREATE TABLE for {table} in mysql_system_tables.sql");
        start += marker.Length;
        var end = systemTables.IndexOf("\";", start, StringComparison.Ordinal);
        return systemTables[start..end];
    }
}
