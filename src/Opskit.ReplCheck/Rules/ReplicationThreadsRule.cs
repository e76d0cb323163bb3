namespace Opskit.ReplCheck.Rules;

/// <summary>The receiver (I/O) and applier (SQL) threads of every channel are running; all flavours.</summary>
internal sealed class ReplicationThreadsRule : IRule
{
    public string Id => "replication_running";

    public VersionRange Range => VersionRange.Any;

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        const string Why = "A stopped thread means the replica serves data that gets older every second.";
        if (!server.IsReplica)
        {
            yield return new CheckResult(Id, CheckStatus.Warn, "not a replica (no replication channel configured)",
                "A server without a replication channel is not a replica: either the wrong server was checked or its replication was reset.",
                new Fix([], [], ["check the host, or configure replication (CHANGE MASTER TO / CHANGE REPLICATION SOURCE TO, then START REPLICA)"]));
            yield break;
        }

        var word = Fixes.ReplicaWord(server.Version);
        foreach (var channel in server.Channels)
        {
            var io = channel.IoRunning ?? "?";
            var sql = channel.SqlRunning ?? "?";
            var ioError = channel.Get("Last_IO_Error");
            var sqlError = channel.Get("Last_SQL_Error");
            var errors = string.Join("; ", new[] { ioError, sqlError }.Where(e => !string.IsNullOrEmpty(e)));
            var value = $"IO={io}, SQL={sql}{(errors.Length > 0 ? $": {errors}" : string.Empty)}";
            var status = io == "Yes" && sql == "Yes" ? CheckStatus.Ok
                : sql == "Yes" && io == "Connecting" ? CheckStatus.Warn
                : CheckStatus.Crit;
            yield return new CheckResult(Id, status, value, Why,
                new Fix([], [], [$"read Last_IO_Error and Last_SQL_Error in SHOW {word} STATUS, repair the cause, then START {word}"]), channel.Name);
        }
    }
}
