namespace Opskit.ReplCheck.Rules;

/// <summary>Seconds behind the source per channel: WARN above half of <c>--max-lag</c>, CRIT above it; all flavours.</summary>
internal sealed class ReplicationLagRule : IRule
{
    public string Id => "replication_lag";

    public VersionRange Range => VersionRange.Any;

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var max = (long)context.Thresholds.MaxLag.TotalSeconds;
        foreach (var channel in context.Server.Channels)
        {
            var lag = channel.SecondsBehind;
            var status = lag is null ? CheckStatus.Warn : lag > max ? CheckStatus.Crit : lag > max / 2 ? CheckStatus.Warn : CheckStatus.Ok;
            yield return new CheckResult(Id, status, lag is null ? "unknown (a replication thread is not running)" : $"{lag}s (max {max}s)",
                "Lag is how much a failover to this replica would lose, and how long the primary must keep its binlogs.",
                new Fix([], [], ["find the slow applier (long transactions, missing primary keys, single-threaded apply) or raise --max-lag"]), channel.Name);
        }
    }
}
