using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>
/// <c>relay_log_recovery = ON</c>: after a crash the replica discards its relay logs and fetches again from the
/// position it applied, so a torn relay log cannot stop replication. MySQL 5.5+ and MariaDB (all versions).
/// </summary>
internal sealed class RelayLogRecoveryRule : IRule
{
    public string Id => "relay_log_recovery";

    public VersionRange Range => VersionRange.Any;

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        var value = server.Variable("relay_log_recovery") ?? "(not reported)";
        var fix = Fixes.Setting(server.Version, "relay_log_recovery", "ON", dynamic: false);
        const string Why = "Without it a relay log torn by a crash stops replication (or is applied half) instead of being discarded and fetched again from the source.";
        if (Fixes.IsOn(value))
        {
            yield return new CheckResult(Id, CheckStatus.Ok, value, Why, fix);
            yield break;
        }

        // MySQL 8.0.23+: GTID auto-positioning alone also restarts from the applied position (gtid_executed), so OFF is a weakness, not a failure.
        var autoPositioned = server.Version.Flavor == ServerFlavor.MySql && server.Version.AtLeast(8, 0, 23)
            && server.IsReplica && server.Channels.All(c => c.Get("Auto_Position") == "1");
        yield return new CheckResult(Id, autoPositioned ? CheckStatus.Warn : CheckStatus.Crit, value, Why, fix);
    }

    public IReadOnlyList<string> ConfigLines(ServerSnapshot server) => ["relay_log_recovery = ON"];
}
