using System.Text;
using Opskit.ReplCheck.Rules;
using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Output;

/// <summary>
/// <c>--print-config</c>: a <c>my.cnf</c> fragment with every setting the rules recommend for this flavour and version,
/// whatever the server has now, plus the primary's binlog retention as comments (it belongs on the primary).
/// </summary>
internal static class ConfigFragmentWriter
{
    public static string Format(ServerSnapshot server, CheckThresholds thresholds)
    {
        var text = new StringBuilder();
        text.Append("# Crash-safe replica settings for ").Append(server.Version.DisplayName).Append(", written by opskit replcheck --print-config\n");
        text.Append("# (see docs/replcheck.md for each rule and its source)\n");
        text.Append("[mysqld]\n");
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var rule in RuleSet.All)
        {
            if (!rule.Range.Contains(server.Version))
            {
                continue;
            }

            var lines = rule.ConfigLines(server).Where(seen.Add).ToList();
            if (lines.Count == 0)
            {
                continue;
            }

            text.Append("# ").Append(rule.Id).Append('\n');
            foreach (var line in lines)
            {
                text.Append(line).Append('\n');
            }
        }

        text.Append("# primary_binlog_retention: on the primary (same flavour and version assumed)\n");
        foreach (var line in BinlogRetentionRule.FixFor(server.Version, thresholds.MinBinlogRetention).ConfigLines)
        {
            text.Append("# ").Append(line).Append('\n');
        }

        return text.ToString();
    }
}
