using System.Globalization;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Output;

/// <summary>The plain-text table of <c>--once --format table</c>: a header block, the sessions, the lock tree.</summary>
internal static class TableSnapshotWriter
{
    public static void Write(TextWriter writer, Snapshot snapshot, IReadOnlyList<Session> sessions, double slowThreshold, int width = 200)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(sessions);
        foreach (var line in HeaderLines.Build(snapshot))
        {
            writer.WriteLine(line);
        }

        writer.WriteLine();
        writer.WriteLine(Row("PID", "DATABASE", "USER", "CLIENT", "STATE", "WAIT", "XACT", "QUERY AGE", "QUERY", width));
        foreach (var s in sessions)
        {
            writer.WriteLine(Row(
                s.Pid.ToString(CultureInfo.InvariantCulture), s.Database, s.User, s.Client, s.State,
                s.WaitEventType is null ? null : $"{s.WaitEventType}:{s.WaitEvent}",
                Formatting.Duration(s.XactAgeSeconds), Formatting.Duration(s.QueryAgeSeconds) + (s.IsSlow(slowThreshold) ? " SLOW" : string.Empty),
                Formatting.OneLine(s.Query), width).TrimEnd());
        }

        if (snapshot.LockTree.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("LOCK TREE");
            foreach (var line in LockTreeLines.Build(snapshot.LockTree))
            {
                writer.WriteLine(Formatting.Fit(line.Text, width).TrimEnd());
            }
        }

        writer.WriteLine();
    }

    private static string Row(string pid, string? db, string? user, string? client, string? state, string? wait, string xact, string age, string query, int width)
    {
        var fixedPart = $"{Formatting.Fit(pid, 8)} {Formatting.Fit(db, 12)} {Formatting.Fit(user, 12)} {Formatting.Fit(client, 15)} {Formatting.Fit(state, 20)} {Formatting.Fit(wait, 22)} {Formatting.Fit(xact, 9, right: true)} {Formatting.Fit(age, 14, right: true)} ";
        return fixedPart + Formatting.Fit(query, Math.Max(10, width - fixedPart.Length));
    }
}
