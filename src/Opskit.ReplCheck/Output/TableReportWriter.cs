using System.Globalization;
using System.Text;
using Opskit.ReplCheck.Rules;

namespace Opskit.ReplCheck.Output;

/// <summary>The table for people: one line per check, and under each check that is not OK its why and fix.</summary>
internal static class TableReportWriter
{
    public static string Format(ReplCheckReport report, bool colors)
    {
        var text = new StringBuilder();
        if (report.Error is not null)
        {
            text.Append(Paint("UNKNOWN", CheckStatus.Unknown, colors)).Append(": ").Append(report.Error).Append('\n');
            return text.ToString();
        }

        var server = report.Server!;
        text.Append(CultureInfo.InvariantCulture,
            $"{server.Version.DisplayName} at {report.Endpoint} ({(server.IsReplica ? $"replica, {server.Channels.Count} channel(s)" : "not a replica")})\n\n");
        var idWidth = Math.Max(5, report.Results.Select(r => Name(r).Length).DefaultIfEmpty(0).Max());
        text.Append(CultureInfo.InvariantCulture, $"{"STATUS",-7} {"CHECK".PadRight(idWidth)} VALUE\n");
        foreach (var result in report.Results)
        {
            var status = ReplCheckReport.Short(result.Status);
            text.Append(Paint(status.PadRight(7), result.Status, colors)).Append(' ')
                .Append(Name(result).PadRight(idWidth)).Append(' ').Append(result.Value).Append('\n');
            if (result.Status == CheckStatus.Ok)
            {
                continue;
            }

            var indent = new string(' ', 8);
            text.Append(indent).Append("why: ").Append(result.Why).Append('\n');
            foreach (var line in result.Fix.ConfigLines)
            {
                text.Append(indent).Append("my.cnf [mysqld]: ").Append(line).Append('\n');
            }

            foreach (var statement in result.Fix.Statements)
            {
                text.Append(indent).Append("sql: ").Append(statement).Append('\n');
            }

            foreach (var step in result.Fix.Steps)
            {
                text.Append(indent).Append("step: ").Append(step).Append('\n');
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"\n{Paint(ReplCheckReport.Word(report.Overall), report.Overall, colors)}: ");
        text.Append(CultureInfo.InvariantCulture,
            $"{report.Results.Count(r => r.Status == CheckStatus.Crit)} critical, {report.Results.Count(r => r.Status == CheckStatus.Warn)} warning, {report.Results.Count(r => r.Status == CheckStatus.Ok)} ok\n");
        return text.ToString();
    }

    private static string Name(CheckResult result) =>
        string.IsNullOrEmpty(result.Channel) ? result.Id : $"{result.Id}[{result.Channel}]";

    private static string Paint(string text, CheckStatus status, bool colors)
    {
        if (!colors)
        {
            return text;
        }

        var code = status switch { CheckStatus.Ok => "32", CheckStatus.Warn => "33", CheckStatus.Crit => "31", _ => "35" };
        return $"\u001b[{code}m{text}\u001b[0m";
    }
}
