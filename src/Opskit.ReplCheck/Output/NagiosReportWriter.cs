using System.Globalization;
using System.Text;
using Opskit.ReplCheck.Rules;

namespace Opskit.ReplCheck.Output;

/// <summary>
/// <c>--format nagios</c>: the plugin's one line, <c>REPLCHECK CRITICAL - text | perfdata</c>, naming the checks
/// that are not OK, then one line per such check (Nagios 3+ shows them as long output).
/// </summary>
internal static class NagiosReportWriter
{
    public static string Format(ReplCheckReport report, CheckThresholds thresholds)
    {
        var text = new StringBuilder();
        text.Append("REPLCHECK ").Append(ReplCheckReport.Word(report.Overall)).Append(" - ");
        if (report.Error is not null)
        {
            text.Append(OneLine(report.Error)).Append('\n');
            return text.ToString();
        }

        var bad = report.Results.Where(r => r.Status != CheckStatus.Ok).ToList();
        var version = report.Server?.Version.DisplayName ?? "server";
        if (bad.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{version} at {report.Endpoint}: {report.Results.Count} checks OK");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"{version} at {report.Endpoint}: ");
            text.AppendJoin(", ", bad.Select(r => $"{ReplCheckReport.Short(r.Status)} {Name(r)}={OneLine(r.Value)}"));
        }

        var lag = report.Server?.Channels.Select(c => c.SecondsBehind).Where(l => l is not null).Select(l => l!.Value).DefaultIfEmpty(0).Max() ?? 0;
        var max = (long)thresholds.MaxLag.TotalSeconds;
        text.Append(CultureInfo.InvariantCulture,
            $" | lag={lag}s;{max / 2};{max};0; crit={report.Results.Count(r => r.Status == CheckStatus.Crit)} warn={report.Results.Count(r => r.Status == CheckStatus.Warn)}\n");
        foreach (var result in bad)
        {
            var fix = result.Fix.Summary;
            text.Append(CultureInfo.InvariantCulture, $"{ReplCheckReport.Short(result.Status)} {Name(result)}: {OneLine(result.Value)}{(fix.Length > 0 ? $"; fix: {OneLine(fix)}" : string.Empty)}\n");
        }

        return text.ToString();
    }

    private static string Name(CheckResult result) =>
        string.IsNullOrEmpty(result.Channel) ? result.Id : $"{result.Id}[{result.Channel}]";

    // '|' starts perfdata in the plugin format, so it must not appear in the text.
    private static string OneLine(string text) => text.Replace('\n', ' ').Replace('|', '/');
}
