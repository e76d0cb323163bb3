using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>
/// MySQL before 8.0.23: <c>master_info_repository = TABLE</c> and <c>relay_log_info_repository = TABLE</c>, so the
/// applied position is committed in the same transaction as the data (5.6.2+; TABLE is the default from 8.0.2).
/// </summary>
internal sealed class RepositoriesRule : IRule
{
    public string Id => "info_repositories";

    public VersionRange Range { get; } = new(ServerFlavor.MySql, Before: (8, 0, 23));

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        var master = server.Variable("master_info_repository") ?? "FILE";
        var relay = server.Variable("relay_log_info_repository") ?? "FILE";
        var word = Fixes.ReplicaWord(server.Version);
        var fix = new Fix([], [$"STOP {word};"], [])
            .Then(Fixes.Setting(server.Version, "master_info_repository", "TABLE", dynamic: true))
            .Then(Fixes.Setting(server.Version, "relay_log_info_repository", "TABLE", dynamic: true))
            .Then(new Fix([], [$"START {word};"], []));
        var ok = master.Equals("TABLE", StringComparison.OrdinalIgnoreCase) && relay.Equals("TABLE", StringComparison.OrdinalIgnoreCase);
        yield return new CheckResult(Id, ok ? CheckStatus.Ok : CheckStatus.Crit,
            $"master_info_repository={master}, relay_log_info_repository={relay}",
            "With FILE the position is written apart from the data, so after a crash the replica restarts from a stale position and applies transactions twice or skips them.",
            fix);
    }

    public IReadOnlyList<string> ConfigLines(ServerSnapshot server) => ["master_info_repository = TABLE", "relay_log_info_repository = TABLE"];
}
