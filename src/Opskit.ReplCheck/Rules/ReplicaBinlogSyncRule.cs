namespace Opskit.ReplCheck.Rules;

/// <summary>
/// A replica that writes its own binlog (<c>log_slave_updates</c> / <c>log_replica_updates</c>, <c>log_bin</c>):
/// <c>sync_binlog = 1</c>, so an operating-system crash cannot lose binlog events its own replicas or a failover need.
/// </summary>
internal sealed class ReplicaBinlogSyncRule : IRule
{
    public string Id => "replica_sync_binlog";

    public VersionRange Range => VersionRange.Any;

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        if (!WritesBinlog(context))
        {
            yield break;
        }

        var value = server.Variable("sync_binlog") ?? "(not reported)";
        yield return new CheckResult(Id, value == "1" ? CheckStatus.Ok : CheckStatus.Warn, $"sync_binlog={value}",
            "This replica logs what it applies; without a sync per commit an OS crash loses the binlog tail while InnoDB keeps the rows, and the binlog no longer matches the data (costs an fsync per commit).",
            Fixes.Setting(server.Version, "sync_binlog", "1", dynamic: true));
    }

    /// <summary>True when the server writes a binlog of what it replicates.</summary>
    internal static bool WritesBinlog(RuleContext context) =>
        Fixes.IsOn(context.Server.Variable("log_bin"))
        && Fixes.IsOn(context.Server.Variable("log_replica_updates", "log_slave_updates"));

    public IReadOnlyList<string> ConfigLines(Server.ServerSnapshot server) => ["sync_binlog = 1"];
}
