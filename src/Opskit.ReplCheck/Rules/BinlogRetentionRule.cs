using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>
/// With <c>--primary</c>: the primary keeps its binlogs at least <c>--min-binlog-retention</c> (the seed kept two weeks)
/// and longer than the replica's lag, so a replica that discarded its relay log can fetch it again.
/// <c>binlog_expire_logs_seconds</c> (MySQL 8.0.1+, MariaDB 10.6.1+) wins over <c>expire_logs_days</c> when set.
/// </summary>
internal sealed class BinlogRetentionRule : IRule
{
    public string Id => "primary_binlog_retention";

    public VersionRange Range => VersionRange.Any;

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        if (!context.PrimaryRequested)
        {
            yield break;
        }

        const string Why = "relay_log_recovery fetches again from the primary; a binlog purged before the replica read it means rebuilding the replica from a backup.";
        if (context.Primary is not { } primary)
        {
            yield return new CheckResult(Id, CheckStatus.Unknown, context.PrimaryError ?? "primary not read", Why, Fix.None);
            yield break;
        }

        var fix = FixFor(primary.Version, context.Thresholds.MinBinlogRetention);
        var retention = Retention(primary);
        if (retention is null)
        {
            yield return new CheckResult(Id, CheckStatus.Ok, "never purged automatically (binlog_expire_logs_seconds and expire_logs_days are 0)", Why, fix);
            yield break;
        }

        var lag = context.Server.Channels.Select(c => c.SecondsBehind ?? 0).DefaultIfEmpty(0).Max();
        var value = $"{Fixes.Duration(retention.Value)} (minimum {Fixes.Duration(context.Thresholds.MinBinlogRetention)}, replica lag {lag}s)";
        var status = retention.Value.TotalSeconds <= lag ? CheckStatus.Crit
            : retention.Value < context.Thresholds.MinBinlogRetention ? CheckStatus.Warn
            : CheckStatus.Ok;
        yield return new CheckResult(Id, status, value, Why, fix);
    }

    /// <summary>The primary's binlog retention, or null when binlogs are never purged automatically.</summary>
    internal static TimeSpan? Retention(ServerSnapshot primary)
    {
        var seconds = Fixes.Number(primary.Variable("binlog_expire_logs_seconds")) ?? 0;
        if (seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        var days = double.TryParse(primary.Variable("expire_logs_days"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : 0;
        return days > 0 ? TimeSpan.FromDays(days) : null;
    }

    /// <summary>The retention setting for the primary: seconds where the server has them, else whole days.</summary>
    internal static Fix FixFor(ServerVersion primary, TimeSpan minimum)
    {
        var seconds = (primary.Flavor == ServerFlavor.MySql && primary.AtLeast(8, 0, 1)) || (primary.Flavor == ServerFlavor.MariaDb && primary.AtLeast(10, 6, 1));
        var setting = seconds
            ? Fixes.Setting(primary, "binlog_expire_logs_seconds", ((long)minimum.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), dynamic: true)
            : Fixes.Setting(primary, "expire_logs_days", ((long)Math.Ceiling(minimum.TotalDays)).ToString(System.Globalization.CultureInfo.InvariantCulture), dynamic: true);
        return setting.Then(new Fix([], [], ["on the primary; check that its disk holds that many days of binlogs"]));
    }
}
