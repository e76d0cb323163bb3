namespace Opskit.ReplCheck.Rules;

/// <summary>Every rule, in report order, and the evaluation of those that apply to a server.</summary>
public static class RuleSet
{
    /// <summary>All rules.</summary>
    public static IReadOnlyList<IRule> All { get; } =
    [
        new ReplicationThreadsRule(),
        new ReplicationLagRule(),
        new RelayLogRecoveryRule(),
        new RepositoriesRule(),
        new MetaTablesEngineRule(),
        new SyncInfoRule(),
        new DeprecatedRepositoryOptionsRule(),
        new AutoPositionRule(),
        new PreserveCommitOrderRule(),
        new MariaDbGtidRule(),
        new GtidSlavePosEngineRule(),
        new ReplicaBinlogSyncRule(),
        new ReplicaFlushLogRule(),
        new BinlogRetentionRule(),
        new StatsTablesRule(),
    ];

    /// <summary>The results of every rule whose version range holds the server.</summary>
    public static IReadOnlyList<CheckResult> Evaluate(RuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var results = new List<CheckResult>();
        foreach (var rule in All)
        {
            if (rule.Range.Contains(context.Server.Version))
            {
                results.AddRange(rule.Evaluate(context));
            }
        }

        return results;
    }

    /// <summary>The overall status: CRIT over UNKNOWN over WARN over OK, as Nagios ranks them.</summary>
    public static CheckStatus Overall(IEnumerable<CheckResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var worst = CheckStatus.Ok;
        foreach (var result in results)
        {
            if (Rank(result.Status) > Rank(worst))
            {
                worst = result.Status;
            }
        }

        return worst;
    }

    private static int Rank(CheckStatus status) => status switch
    {
        CheckStatus.Crit => 3,
        CheckStatus.Unknown => 2,
        CheckStatus.Warn => 1,
        _ => 0,
    };
}
