using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>
/// MySQL 8.0.23+: every channel restarts from a safe position after a crash: GTID auto-positioning
/// (<c>SOURCE_AUTO_POSITION = 1</c>) or <c>relay_log_recovery = ON</c>.
/// </summary>
internal sealed class AutoPositionRule : IRule
{
    public string Id => "crash_safe_position";

    public VersionRange Range { get; } = new(ServerFlavor.MySql, From: (8, 0, 23));

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        var recovery = Fixes.IsOn(server.Variable("relay_log_recovery"));
        foreach (var channel in server.Channels)
        {
            var autoPosition = channel.Get("Auto_Position") == "1";
            var forChannel = channel.Name.Length == 0 ? string.Empty : $" FOR CHANNEL '{channel.Name.Replace("'", "''", StringComparison.Ordinal)}'";
            var fix = new Fix([], [$"STOP REPLICA{forChannel};", $"CHANGE REPLICATION SOURCE TO SOURCE_AUTO_POSITION = 1{forChannel};", $"START REPLICA{forChannel};"],
                ["needs gtid_mode = ON and enforce_gtid_consistency = ON on source and replica; or set relay_log_recovery = ON instead"]);
            yield return new CheckResult(Id, autoPosition || recovery ? CheckStatus.Ok : CheckStatus.Crit,
                $"Auto_Position={channel.Get("Auto_Position") ?? "?"}, relay_log_recovery={(recovery ? "ON" : "OFF")}",
                "Since 8.0.23 a replica is crash-safe only when it restarts from GTIDs (auto-positioning) or discards its relay log (relay_log_recovery); with neither it resumes from a position that may not match the data.",
                fix, channel.Name);
        }
    }
}
