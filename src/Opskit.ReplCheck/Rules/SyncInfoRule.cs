using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>
/// MySQL before 8.0.23: <c>sync_master_info = 1</c> and <c>sync_relay_log_info = 1</c> as the seed set them. A
/// trade-off, so WARN and never CRIT: with TABLE repositories and <c>relay_log_recovery</c> the position is already
/// safe, and syncing after every event costs a write per event on a busy replica.
/// </summary>
internal sealed class SyncInfoRule : IRule
{
    public string Id => "sync_info";

    public VersionRange Range { get; } = new(ServerFlavor.MySql, Before: (8, 0, 23));

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        var master = server.Variable("sync_master_info") ?? "(not reported)";
        var relay = server.Variable("sync_relay_log_info") ?? "(not reported)";
        var ok = master == "1" && relay == "1";
        yield return new CheckResult(Id, ok ? CheckStatus.Ok : CheckStatus.Warn,
            $"sync_master_info={master}, sync_relay_log_info={relay}",
            "At 1 the position is synced after every event, so a crash loses none of it; it costs one extra write per event, measure it on replicas with a high write rate.",
            Fixes.Setting(server.Version, "sync_master_info", "1", dynamic: true)
                .Then(Fixes.Setting(server.Version, "sync_relay_log_info", "1", dynamic: true)));
    }

    public IReadOnlyList<string> ConfigLines(ServerSnapshot server) => ["sync_master_info = 1", "sync_relay_log_info = 1"];
}
