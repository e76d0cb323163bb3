using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>
/// MariaDB: every connection replicates with GTID (<c>Using_Gtid</c> <c>Slave_Pos</c> or <c>Current_Pos</c>), so the
/// position lives in <c>mysql.gtid_slave_pos</c>, committed with the data, instead of the <c>relay-log.info</c> file.
/// </summary>
internal sealed class MariaDbGtidRule : IRule
{
    public string Id => "gtid_in_use";

    public VersionRange Range { get; } = new(ServerFlavor.MariaDb);

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        var word = Fixes.ReplicaWord(server.Version);
        foreach (var channel in server.Channels)
        {
            var usingGtid = channel.Get("Using_Gtid") ?? "(not reported)";
            var name = channel.Name.Length == 0 ? string.Empty : $" '{channel.Name.Replace("'", "''", StringComparison.Ordinal)}'";
            var fix = new Fix([], [$"STOP {word}{name};", $"CHANGE MASTER{name} TO MASTER_USE_GTID = slave_pos;", $"START {word}{name};"], []);
            yield return new CheckResult(Id, usingGtid.Equals("No", StringComparison.OrdinalIgnoreCase) ? CheckStatus.Crit : CheckStatus.Ok,
                $"Using_Gtid={usingGtid}",
                "Without GTID the replica's position is a file name and offset kept in relay-log.info, written apart from the data, so a crash can replay or skip transactions.",
                fix, channel.Name);
        }
    }
}
