using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>
/// MariaDB: <c>mysql.gtid_slave_pos</c> on a transactional engine (InnoDB by default since 10.0), and
/// <c>gtid_pos_auto_engines</c> (10.3.1+) naming the engines the replicated tables use.
/// </summary>
internal sealed class GtidSlavePosEngineRule : IRule
{
    private static readonly string[] Transactional = ["InnoDB", "RocksDB", "TokuDB"];

    public string Id => "gtid_slave_pos_engine";

    public VersionRange Range { get; } = new(ServerFlavor.MariaDb);

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        if (!server.MetaTableEngines.TryGetValue("gtid_slave_pos", out var engine))
        {
            yield break;
        }

        var autoEngines = server.Variable("gtid_pos_auto_engines");
        var word = Fixes.ReplicaWord(server.Version);
        var fix = new Fix([], [$"STOP ALL {word}S;", "ALTER TABLE mysql.gtid_slave_pos ENGINE = InnoDB;"], [])
            .Then(autoEngines is null ? Fix.None : Fixes.Setting(server.Version, "gtid_pos_auto_engines", "InnoDB", dynamic: true))
            .Then(new Fix([], [$"START ALL {word}S;"], []));
        var ok = Array.Exists(Transactional, e => e.Equals(engine, StringComparison.OrdinalIgnoreCase));
        yield return new CheckResult(Id, ok ? CheckStatus.Ok : CheckStatus.Crit,
            $"mysql.gtid_slave_pos={engine}{(autoEngines is null ? string.Empty : $", gtid_pos_auto_engines='{autoEngines}'")}",
            "The GTID position is crash-safe only when it commits in the same transaction as the replicated rows, which needs a transactional engine.",
            fix);
    }

    public IReadOnlyList<string> ConfigLines(ServerSnapshot server) => server.Version.AtLeast(10, 3, 1) ? ["gtid_pos_auto_engines = InnoDB"] : [];
}
