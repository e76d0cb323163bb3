using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>
/// MySQL 8.0.23+: with more than one applier worker, <c>replica_preserve_commit_order = ON</c> (the default from
/// 8.0.27), so a crash leaves no gaps between the transactions the workers committed.
/// </summary>
internal sealed class PreserveCommitOrderRule : IRule
{
    public string Id => "preserve_commit_order";

    public VersionRange Range { get; } = new(ServerFlavor.MySql, From: (8, 0, 23));

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        var workers = Fixes.Number(server.Variable("replica_parallel_workers", "slave_parallel_workers")) ?? 0;
        if (workers <= 1)
        {
            yield break;
        }

        var name = server.VariableName("replica_preserve_commit_order", "slave_preserve_commit_order");
        var value = server.Variable(name) ?? "OFF";
        yield return new CheckResult(Id, Fixes.IsOn(value) ? CheckStatus.Ok : CheckStatus.Warn,
            $"{name}={value}, {server.VariableName("replica_parallel_workers", "slave_parallel_workers")}={workers}",
            "Parallel workers that commit out of order leave gaps after a crash, and the replica's data briefly matches no state the source ever had.",
            new Fix([], ["STOP REPLICA SQL_THREAD;"], []).Then(Fixes.Setting(server.Version, name, "ON", dynamic: true)).Then(new Fix([], ["START REPLICA SQL_THREAD;"], [])));
    }

    public IReadOnlyList<string> ConfigLines(ServerSnapshot server) => [$"{server.VariableName("replica_preserve_commit_order", "slave_preserve_commit_order")} = ON"];
}
