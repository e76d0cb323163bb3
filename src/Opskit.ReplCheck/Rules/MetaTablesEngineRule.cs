using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>
/// MySQL: the replication meta tables (<c>slave_master_info</c>, <c>slave_relay_log_info</c>, <c>slave_worker_info</c>)
/// on InnoDB; they were MyISAM in 5.6 and must be converted for the TABLE repositories to be crash-safe.
/// </summary>
internal sealed class MetaTablesEngineRule : IRule
{
    private static readonly string[] Tables = ["slave_master_info", "slave_relay_log_info", "slave_worker_info"];

    public string Id => "meta_tables_engine";

    public VersionRange Range { get; } = new(ServerFlavor.MySql);

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        var found = Tables.Where(t => server.MetaTableEngines.ContainsKey(t)).ToList();
        if (found.Count == 0)
        {
            yield break;
        }

        var wrong = found.Where(t => !server.MetaTableEngines[t].Equals("InnoDB", StringComparison.OrdinalIgnoreCase)).ToList();
        var word = Fixes.ReplicaWord(server.Version);
        var fix = new Fix([], [$"STOP {word};", .. Tables.Select(t => $"ALTER TABLE mysql.{t} ENGINE = InnoDB;"), $"START {word};"], []);
        yield return new CheckResult(Id, wrong.Count == 0 ? CheckStatus.Ok : CheckStatus.Crit,
            string.Join(", ", found.Select(t => $"{t}={server.MetaTableEngines[t]}")),
            "The position tables are only updated atomically with the replicated data when they are transactional (InnoDB); MyISAM loses or tears them in a crash.",
            fix);
    }
}
