using System.Globalization;
using System.Text;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Output;

/// <summary>The header block of one server, as text lines shared by the table output and the TUI.</summary>
internal static class HeaderLines
{
    public static List<string> Build(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var lines = new List<string>(6);
        var server = snapshot.Server;
        var uptime = server.StartTime is { } start ? Formatting.Duration((snapshot.TakenAt - start).TotalSeconds) : "?";
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"{server.Name} - PostgreSQL {server.Version} {(server.InRecovery ? "standby" : "primary")}, up {uptime}, {snapshot.TakenAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}"));
        var c = snapshot.Counts;
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"sessions {c.Total}/{server.MaxConnections}: active {c.Active}, idle {c.Idle}, idle in xact {c.IdleInTransaction} (aborted {c.IdleInTransactionAborted}), other {c.Other}, waiting on lock {c.WaitingOnLock}"));
        var r = snapshot.Rates;
        var reset = r?.Reset ?? false;
        var hit = snapshot.CacheHitRatio is { } h ? (h * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "-";
        lines.Add($"tps {Formatting.Rate(r?.TransactionsPerSecond, reset)}  ins/s {Formatting.Rate(r?.InsertedPerSecond, reset)}  upd/s {Formatting.Rate(r?.UpdatedPerSecond, reset)}  del/s {Formatting.Rate(r?.DeletedPerSecond, reset)}  cache hit {hit}");
        var oldest = new StringBuilder();
        oldest.Append("oldest xact: ").Append(snapshot.OldestTransaction is { } ox
            ? string.Create(CultureInfo.InvariantCulture, $"pid {ox.Pid} {ox.User}@{ox.Database} {Formatting.Duration(ox.AgeSeconds)}")
            : "-");
        oldest.Append("   oldest xmin: ").Append(snapshot.OldestXmin is { } xm
            ? string.Create(CultureInfo.InvariantCulture, $"pid {xm.Pid} {xm.User}@{xm.Database} age {xm.AgeSeconds:0} xids")
            : "-");
        lines.Add(oldest.ToString());
        if (server.InRecovery)
        {
            lines.Add($"replication: standby, replay delay {Formatting.Duration(snapshot.ReplayDelaySeconds)}");
        }
        else if (snapshot.Standbys.Count > 0)
        {
            var standbys = new StringBuilder("replication:");
            foreach (var s in snapshot.Standbys)
            {
                standbys.Append(CultureInfo.InvariantCulture,
                    $" {s.Application}({s.Client}) {s.State} replay lag {Formatting.Duration(s.ReplayLagSeconds)} {(s.ReplayLagBytes is { } b ? Formatting.Bytes(b) : "-")};");
            }

            lines.Add(standbys.ToString());
        }

        if (snapshot.DatabaseSizes is { } sizes)
        {
            var text = new StringBuilder("sizes:");
            foreach (var size in sizes)
            {
                text.Append(' ').Append(size.Name).Append(' ').Append(Formatting.Bytes(size.Bytes)).Append(';');
            }

            lines.Add(text.ToString());
        }

        foreach (var note in snapshot.Notes)
        {
            lines.Add("note: " + note);
        }

        return lines;
    }
}
