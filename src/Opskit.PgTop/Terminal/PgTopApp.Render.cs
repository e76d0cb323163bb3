using System.Globalization;
using System.Text;
using Opskit.PgTop.Model;
using Opskit.PgTop.Output;
using Opskit.PgTop.Settings;

namespace Opskit.PgTop.Terminal;

/// <summary>Drawing: headers, the activity table or the lock tree per server, one above the other, then the footer.</summary>
internal sealed partial class PgTopApp
{
    private static readonly string[] SqlBreaks = [" FROM ", " WHERE ", " JOIN ", " LEFT JOIN ", " GROUP BY ", " ORDER BY ", " HAVING ", " LIMIT ", " UNION ", " SET ", " VALUES ", " RETURNING ", " AND ", " OR "];

    private List<Session> Rows(ServerPane pane) =>
        pane.At(_rewind) is { } snapshot ? SessionView.Select(snapshot, _filter, _showIdle, _sortColumn, _descending) : [];

    private int? SelectedPid(ServerPane pane)
    {
        if (_screen == Screen.LockTree)
        {
            var lines = pane.At(_rewind) is { } s ? LockTreeLines.Build(s.LockTree) : [];
            return lines.Count == 0 ? null : lines[Math.Clamp(pane.Selected, 0, lines.Count - 1)].Pid;
        }

        var rows = Rows(pane);
        return rows.Count == 0 ? null : rows[Math.Clamp(pane.Selected, 0, rows.Count - 1)].Pid;
    }

    private Session? SelectedSession(ServerPane pane)
    {
        if (SelectedPid(pane) is not { } pid || pane.At(_rewind) is not { } snapshot)
        {
            return null;
        }

        return snapshot.Sessions.FirstOrDefault(s => s.Pid == pid);
    }

    private void Render()
    {
        var frame = new Frame(_width, _height, _color);
        if (_screen == Screen.Help)
        {
            RenderHelp(frame);
        }
        else if (_screen == Screen.Text)
        {
            frame.Line(_textTitle, Frame.Inverse);
            foreach (var line in _text)
            {
                frame.Line(line.TrimEnd('\r'));
            }
        }
        else if (_screen == Screen.Statements)
        {
            RenderStatements(frame);
        }
        else
        {
            var footer = FooterLines();
            var available = frame.Height - footer.Count;
            for (var i = 0; i < _panes.Count; i++)
            {
                var share = (available - frame.Lines) / (_panes.Count - i);
                RenderPane(frame, _panes[i], i == _focus, frame.Lines + share);
            }

            frame.FillTo(frame.Height - footer.Count);
            foreach (var (text, style) in footer)
            {
                frame.Line(text, style);
            }
        }

        Write(frame.Finish());
    }

    private List<(string, string?)> FooterLines()
    {
        var lines = new List<(string, string?)>();
        if (_confirm is { } confirm)
        {
            foreach (var detail in confirm.Details.Take(Math.Max(1, _height / 3)))
            {
                lines.Add(("  " + detail, Frame.Yellow));
            }

            lines.Add((confirm.Question, Frame.Bold + Frame.Yellow));
            return lines;
        }

        if (_prompt is not null)
        {
            lines.Add((_prompt + _input, Frame.Bold));
            return lines;
        }

        var state = _paused ? (_rewind > 0 ? $"PAUSED, rewind -{_rewind}" : "PAUSED") : $"every {_refreshSeconds.ToString(CultureInfo.InvariantCulture)}s";
        lines.Add((_message, Frame.Cyan));
        lines.Add(($"{state} | sort {_sortColumn} {(_descending ? "desc" : "asc")} | idle {(_showIdle ? "shown" : "hidden")} | filter {(_filter.IsEmpty ? "-" : _filter.ToString())} | ? help, q quit", Frame.Inverse));
        return lines;
    }

    private void RenderPane(Frame frame, ServerPane pane, bool focused, int endLine)
    {
        var snapshot = pane.At(_rewind);
        if (pane.Error is { } error)
        {
            frame.Line($"{pane.Name}: {error}", Frame.Bold + Frame.Red);
        }

        if (snapshot is null)
        {
            frame.Line($"{pane.Name}: connecting...", Frame.Bold);
            return;
        }

        var header = HeaderLines.Build(snapshot);
        frame.Line(header[0] + (_rewind > 0 ? $"  [snapshot of {snapshot.TakenAt.ToLocalTime():HH:mm:ss}]" : string.Empty), Frame.Bold + (focused ? Frame.Green : string.Empty));
        for (var i = 1; i < header.Count; i++)
        {
            frame.Line(header[i], header[i].StartsWith("note:", StringComparison.Ordinal) ? Frame.Yellow : null);
        }

        if (_screen == Screen.LockTree)
        {
            RenderLockTree(frame, pane, snapshot, endLine);
            return;
        }

        var narrow = frame.Width < 120;
        frame.Line(RowText("PID", "DATABASE", "USER", "APP", "CLIENT", "STATE", "WAIT", "XACT", "QUERY", "QUERY TEXT", narrow, frame.Width), Frame.Inverse);
        var rows = Rows(pane);
        pane.Selected = Math.Clamp(pane.Selected, 0, Math.Max(0, rows.Count - 1));
        var room = Math.Max(1, endLine - frame.Lines);
        var first = Math.Max(0, pane.Selected - room + 1);
        for (var r = first; r < rows.Count && frame.Lines < endLine; r++)
        {
            var s = rows[r];
            var slow = s.IsSlow(_options.SlowThresholdSeconds);
            var style = focused && r == pane.Selected ? Frame.Inverse
                : s.IsLockWaiter ? Frame.Red
                : slow ? Frame.Bold + Frame.Red
                : s.IsIdleInTransaction ? Frame.Yellow
                : s.IsActive ? Frame.Green
                : null;
            var pid = (pane.Tagged.Contains(s.Pid) ? "*" : string.Empty) + s.Pid.ToString(CultureInfo.InvariantCulture);
            var wait = s.WaitEventType is null ? string.Empty : $"{s.WaitEventType}:{s.WaitEvent}";
            var queryLines = QueryLines(s.Query, frame.Width, narrow);
            frame.Line(RowText(pid, s.Database, s.User, s.Application, s.Client, s.State, wait, Formatting.Duration(s.XactAgeSeconds), Formatting.Duration(s.QueryAgeSeconds), queryLines[0], narrow, frame.Width), style);
            for (var extra = 1; extra < queryLines.Count && frame.Lines < endLine; extra++)
            {
                frame.Line(new string(' ', FixedWidth(narrow)) + queryLines[extra], style == Frame.Inverse ? Frame.Inverse : Frame.Dim);
            }
        }
    }

    private void RenderLockTree(Frame frame, ServerPane pane, Snapshot snapshot, int endLine)
    {
        var lines = LockTreeLines.Build(snapshot.LockTree);
        frame.Line($"LOCK TREE: {snapshot.LockTree.Count} root blocker(s), {snapshot.Counts.WaitingOnLock} session(s) waiting on a lock (b/B cancel/terminate the root)", Frame.Inverse);
        if (lines.Count == 0)
        {
            frame.Line("no session waits on a heavyweight lock");
            return;
        }

        pane.Selected = Math.Clamp(pane.Selected, 0, lines.Count - 1);
        var first = Math.Max(0, pane.Selected - Math.Max(1, endLine - frame.Lines) + 1);
        for (var i = first; i < lines.Count && frame.Lines < endLine; i++)
        {
            frame.Line(lines[i].Text, i == pane.Selected ? Frame.Inverse : lines[i].Depth == 0 ? Frame.Bold + Frame.Red : null);
        }
    }

    private void RenderStatements(Frame frame)
    {
        frame.Line($"pg_stat_statements on {_panes[_focus].Name}: top by total time (any key returns)", Frame.Inverse);
        frame.Line($"{"CALLS",10} {"TOTAL ms",12} {"MEAN ms",10} {"ROWS",10} {"HIT %",6} {"USER",-12} {"DATABASE",-12} QUERY", Frame.Bold);
        foreach (var s in _statements ?? [])
        {
            var hit = s.BlocksHit + s.BlocksRead > 0 ? (100.0 * s.BlocksHit / (s.BlocksHit + s.BlocksRead)).ToString("0.0", CultureInfo.InvariantCulture) : "-";
            frame.Line(string.Create(CultureInfo.InvariantCulture, $"{s.Calls,10} {s.TotalMs,12:0.0} {s.MeanMs,10:0.000} {s.Rows,10} {hit,6} {Formatting.Fit(s.User, 12)} {Formatting.Fit(s.Database, 12)} {Formatting.OneLine(s.Query)}"));
        }

        _screen = Screen.Statements;
    }

    private static void RenderHelp(Frame frame)
    {
        frame.Line("opskit pgtop keys (any key returns)", Frame.Inverse);
        foreach (var (keys, what) in HelpText)
        {
            frame.Line($"  {keys,-34} {what}");
        }

        frame.Line(string.Empty);
        frame.Line("Colours: green active, yellow idle in transaction, red waiting on a lock, bold red slow; * tagged.");
    }

    private static int FixedWidth(bool narrow) => narrow ? 8 + 11 + 11 + 20 + 9 + 9 + 7 : 8 + 11 + 11 + 15 + 16 + 20 + 21 + 9 + 9;

    private static string RowText(string pid, string? db, string? user, string? app, string? client, string? state, string wait, string xact, string age, string query, bool narrow, int width)
    {
        var text = new StringBuilder(width);
        text.Append(Formatting.Fit(pid, 7)).Append(' ')
            .Append(Formatting.Fit(db, 10)).Append(' ')
            .Append(Formatting.Fit(user, 10)).Append(' ');
        if (!narrow)
        {
            text.Append(Formatting.Fit(app, 14)).Append(' ')
                .Append(Formatting.Fit(client, 15)).Append(' ');
        }

        text.Append(Formatting.Fit(state, 19)).Append(' ');
        if (!narrow)
        {
            text.Append(Formatting.Fit(wait, 20)).Append(' ');
        }

        text.Append(Formatting.Fit(xact, 8, right: true)).Append(' ')
            .Append(Formatting.Fit(age, 8, right: true)).Append(' ');
        if (narrow)
        {
            text.Append(Formatting.Fit(wait.Length > 0 ? "W" : string.Empty, 1)).Append("     ");
        }

        text.Append(query);
        return text.ToString();
    }

    private List<string> QueryLines(string? query, int width, bool narrow)
    {
        var room = Math.Max(10, width - FixedWidth(narrow));
        if (_queryDisplay == QueryDisplay.Truncated)
        {
            return [Formatting.OneLine(query)];
        }

        var source = Formatting.OneLine(query);
        var pieces = new List<string>();
        if (_queryDisplay == QueryDisplay.Indented)
        {
            foreach (var br in SqlBreaks)
            {
                source = source.Replace(br, "\n  " + br.TrimStart(), StringComparison.OrdinalIgnoreCase);
            }
        }

        foreach (var part in source.Split('\n'))
        {
            for (var i = 0; i < part.Length; i += room)
            {
                pieces.Add(part.Substring(i, Math.Min(room, part.Length - i)));
            }
        }

        return pieces.Count == 0 ? [string.Empty] : pieces;
    }
}
