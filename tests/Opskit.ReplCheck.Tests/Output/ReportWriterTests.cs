using System.Text.Json;
using Opskit.ReplCheck.Output;
using Opskit.ReplCheck.Rules;
using Opskit.ReplCheck.Tests.Support;

namespace Opskit.ReplCheck.Tests.Output;

public sealed class ReportWriterTests
{
    private static readonly ReplCheckOptions Options = new(new Opskit.ReplCheck.Server.ConnectionSettings(), null, CheckThresholds.Default, ReportFormat.Table, false);

    private static ReplCheckReport Report(string file)
    {
        var snapshot = RecordedServer.Load(file);
        return new ReplCheckReport("10.0.0.9:3306", snapshot, RuleSet.Evaluate(new RuleContext(snapshot, null, null, CheckThresholds.Default)), null);
    }

    [Fact]
    public void Json_has_one_object_per_check_with_id_status_value_why_and_fix()
    {
        var report = Report("mysql-8.0.36-file-repository.txt");
        using var json = JsonDocument.Parse(ReplCheckRunner.Render(report, Options with { Format = ReportFormat.Json }, colors: false));
        var root = json.RootElement;
        Assert.Equal("CRIT", root.GetProperty("status").GetString());
        Assert.Equal(2, root.GetProperty("exit_code").GetInt32());
        Assert.Equal("mysql", root.GetProperty("flavor").GetString());
        Assert.Equal("8.0.36", root.GetProperty("version").GetString());
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(report.Results.Count, checks.Count);
        foreach (var check in checks)
        {
            foreach (var property in new[] { "id", "status", "value", "why" })
            {
                Assert.Equal(JsonValueKind.String, check.GetProperty(property).ValueKind);
            }

            Assert.Equal(JsonValueKind.Array, check.GetProperty("fix").GetProperty("config").ValueKind);
            Assert.Equal(JsonValueKind.Array, check.GetProperty("fix").GetProperty("statements").ValueKind);
        }
    }

    [Fact]
    public void Nagios_is_one_status_line_with_perfdata_then_one_line_per_problem()
    {
        var report = Report("mysql-8.0.36-file-repository.txt");
        var lines = ReplCheckRunner.Render(report, Options with { Format = ReportFormat.Nagios }, colors: false).TrimEnd('\n').Split('\n');
        Assert.StartsWith("REPLCHECK CRITICAL - MySQL 8.0.36 at 10.0.0.9:3306: ", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("| lag=700s;150;300;0; crit=5 warn=2", lines[0], StringComparison.Ordinal);
        Assert.Single(lines[0].Split('|').Skip(1));
        Assert.Equal(report.Results.Count(r => r.Status != CheckStatus.Ok), lines.Length - 1);
        Assert.Contains(lines, l => l.StartsWith("CRIT relay_log_recovery: OFF; fix: SET PERSIST_ONLY relay_log_recovery = ON;", StringComparison.Ordinal));
    }

    [Fact]
    public void Nagios_ok_line_counts_the_checks()
    {
        var report = Report("mysql-8.4-multi-source.txt");
        var text = ReplCheckRunner.Render(report, Options with { Format = ReportFormat.Nagios }, colors: false);
        Assert.StartsWith($"REPLCHECK OK - MySQL 8.4.3 at 10.0.0.9:3306: {report.Results.Count} checks OK | lag=4s;150;300;0; crit=0 warn=0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_report_is_one_line()
    {
        var report = new ReplCheckReport("127.0.0.1:1", null, [], "127.0.0.1:1: cannot connect | refused");
        Assert.Equal("REPLCHECK UNKNOWN - 127.0.0.1:1: cannot connect / refused\n", ReplCheckRunner.Render(report, Options with { Format = ReportFormat.Nagios }, colors: false));
        Assert.Equal(CheckStatus.Unknown, report.Overall);
    }

    [Fact]
    public void Table_shows_why_and_fix_under_problems_and_colours_only_when_asked()
    {
        var report = Report("mysql-5.7-file-repositories.txt");
        var plain = ReplCheckRunner.Render(report, Options, colors: false);
        Assert.DoesNotContain("\u001b[", plain, StringComparison.Ordinal);
        Assert.Contains("CRIT    info_repositories", plain, StringComparison.Ordinal);
        Assert.Contains("my.cnf [mysqld]: master_info_repository = TABLE", plain, StringComparison.Ordinal);
        Assert.Contains("sql: SET GLOBAL master_info_repository = 'TABLE';", plain, StringComparison.Ordinal);
        Assert.Contains("step: 1. DROP TABLE", plain, StringComparison.Ordinal);
        Assert.Contains("CRITICAL: 4 critical, 1 warning,", plain, StringComparison.Ordinal);

        var colored = ReplCheckRunner.Render(report, Options, colors: true);
        Assert.Contains("\u001b[31mCRIT", colored, StringComparison.Ordinal);
    }

    [Fact]
    public void Overall_ranks_crit_over_unknown_over_warn()
    {
        static CheckResult R(CheckStatus s) => new("x", s, "v", "w", Fix.None);
        Assert.Equal(CheckStatus.Crit, RuleSet.Overall([R(CheckStatus.Unknown), R(CheckStatus.Crit), R(CheckStatus.Warn)]));
        Assert.Equal(CheckStatus.Unknown, RuleSet.Overall([R(CheckStatus.Unknown), R(CheckStatus.Warn)]));
        Assert.Equal(CheckStatus.Warn, RuleSet.Overall([R(CheckStatus.Ok), R(CheckStatus.Warn)]));
        Assert.Equal(CheckStatus.Ok, RuleSet.Overall([]));
    }
}
