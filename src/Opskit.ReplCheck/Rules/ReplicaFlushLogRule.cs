namespace Opskit.ReplCheck.Rules;

/// <summary>
/// A replica that writes its own binlog: <c>innodb_flush_log_at_trx_commit = 1</c>. 0 loses commits when the server
/// crashes (CRIT); 2 only when the operating system does (WARN).
/// </summary>
internal sealed class ReplicaFlushLogRule : IRule
{
    public string Id => "replica_innodb_flush_log";

    public VersionRange Range => VersionRange.Any;

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        if (!ReplicaBinlogSyncRule.WritesBinlog(context))
        {
            yield break;
        }

        var value = server.Variable("innodb_flush_log_at_trx_commit") ?? "(not reported)";
        var status = value switch { "1" => CheckStatus.Ok, "0" => CheckStatus.Crit, _ => CheckStatus.Warn };
        yield return new CheckResult(Id, status, $"innodb_flush_log_at_trx_commit={value}",
            "Below 1 InnoDB acknowledges commits before they are durable, so after a crash the data (and the replica position stored with it) is behind the binlog it wrote.",
            Fixes.Setting(server.Version, "innodb_flush_log_at_trx_commit", "1", dynamic: true));
    }

    public IReadOnlyList<string> ConfigLines(Server.ServerSnapshot server) => ["innodb_flush_log_at_trx_commit = 1"];
}
