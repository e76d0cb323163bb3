using System.Text;
using Opskit.PgTop.Actions;
using Opskit.PgTop.Collection;
using Opskit.PgTop.Model;
using Opskit.PgTop.Output;
using Opskit.PgTop.Settings;

namespace Opskit.PgTop.Terminal;

/// <summary>Keys: every one is listed by the help screen (<see cref="HelpText"/>).</summary>
internal sealed partial class PgTopApp
{
    internal static readonly (string Keys, string What)[] HelpText =
    [
        ("q, Ctrl-C", "quit"),
        ("?", "this help (Esc or any key closes it)"),
        ("1 / 2 / 3", "activity / lock tree / pg_stat_statements screen"),
        ("l", "lock tree on or off"),
        ("Up, Down, PgUp, PgDn, Home, End", "select a row"),
        ("Tab", "next server (with several --server)"),
        ("i", "idle sessions shown or hidden"),
        ("/", "filter: user=, db=, client=, app=, state=, query= (a string or /regex/); empty clears"),
        ("s / r", "next sort column / reverse the order"),
        ("v", "query text: truncated, full, indented"),
        ("Space, p", "pause or resume refreshing"),
        ("Left, [ / Right, ]", "rewind: one snapshot back / forward (pauses)"),
        ("t / T", "tag or untag the selected session / clear tags"),
        ("c / k", "cancel / terminate the selected session, or the tagged ones (asks first)"),
        ("b / B", "cancel / terminate the root blocker of the selected session (asks first)"),
        ("C / K", "cancel / terminate every query slower than --slow-threshold (asks first, lists them)"),
        ("e / E", "EXPLAIN the selected query / EXPLAIN ANALYZE it in a rolled-back transaction (asks first)"),
        ("d", "database sizes shown or hidden"),
        ("+ / -", "refresh interval up / down (0.5 s to 60 s)"),
        ("y / n, Esc", "answer a confirmation"),
    ];

    private async Task HandleKeyAsync(ConsoleKeyInfo key, CancellationToken cancellationToken)
    {
        if (key.Key == ConsoleKey.C && key.Modifiers.HasFlag(ConsoleModifiers.Control))
        {
            _quit = true;
            return;
        }

        if (_confirm is { } confirm)
        {
            _confirm = null;
            if (key.KeyChar is 'y' or 'Y')
            {
                await confirm.Action().ConfigureAwait(false);
            }
            else
            {
                _message = "cancelled, nothing sent";
            }

            return;
        }

        if (_input is not null)
        {
            await PromptKeyAsync(key).ConfigureAwait(false);
            return;
        }

        if (_screen is Screen.Help or Screen.Text && key.KeyChar != 'q')
        {
            _screen = Screen.Activity;
            return;
        }

        var pane = _panes[_focus];
        switch (key.Key)
        {
            case ConsoleKey.UpArrow:
                pane.Selected = Math.Max(0, pane.Selected - 1);
                return;
            case ConsoleKey.DownArrow:
                pane.Selected++;
                return;
            case ConsoleKey.PageUp:
                pane.Selected = Math.Max(0, pane.Selected - 10);
                return;
            case ConsoleKey.PageDown:
                pane.Selected += 10;
                return;
            case ConsoleKey.Home:
                pane.Selected = 0;
                return;
            case ConsoleKey.End:
                pane.Selected = int.MaxValue / 2;
                return;
            case ConsoleKey.Tab:
                _focus = (_focus + 1) % _panes.Count;
                return;
            case ConsoleKey.LeftArrow:
                Rewind(+1);
                return;
            case ConsoleKey.RightArrow:
                Rewind(-1);
                return;
            case ConsoleKey.Escape:
                _screen = Screen.Activity;
                return;
        }

        switch (key.KeyChar)
        {
            case 'q':
                _quit = true;
                break;
            case '?':
                _screen = Screen.Help;
                break;
            case '1':
                _screen = Screen.Activity;
                break;
            case '2':
                _screen = Screen.LockTree;
                break;
            case 'l':
                _screen = _screen == Screen.LockTree ? Screen.Activity : Screen.LockTree;
                break;
            case '3':
                await ShowStatementsAsync(pane, cancellationToken).ConfigureAwait(false);
                break;
            case 'i':
                _showIdle = !_showIdle;
                _message = _showIdle ? "idle sessions shown (from the next refresh)" : "idle sessions hidden";
                break;
            case '/':
                _prompt = "filter (user= db= client= app= state= query=, /regex/): ";
                _input = new StringBuilder(_filter.ToString());
                break;
            case 's':
                _sortColumn = SessionView.SortColumns[(Array.IndexOf(SessionView.SortColumns, _sortColumn) + 1) % SessionView.SortColumns.Length];
                _message = $"sort by {_sortColumn}";
                break;
            case 'r':
                _descending = !_descending;
                break;
            case 'v':
                _queryDisplay = (QueryDisplay)(((int)_queryDisplay + 1) % 3);
                _message = $"query text {_queryDisplay.ToString().ToLowerInvariant()}";
                break;
            case ' ':
            case 'p':
                _paused = !_paused;
                _rewind = 0;
                break;
            case '[':
                Rewind(+1);
                break;
            case ']':
                Rewind(-1);
                break;
            case 't':
                if (SelectedSession(pane) is { } tag && !pane.Tagged.Remove(tag.Pid))
                {
                    pane.Tagged.Add(tag.Pid);
                }

                break;
            case 'T':
                pane.Tagged.Clear();
                break;
            case 'c':
            case 'k':
                AskSignal(pane, key.KeyChar == 'c' ? SignalKind.Cancel : SignalKind.Terminate, Targets(pane), "selected");
                break;
            case 'b':
            case 'B':
                AskSignal(pane, key.KeyChar == 'b' ? SignalKind.Cancel : SignalKind.Terminate, RootBlocker(pane), "root blocker");
                break;
            case 'C':
            case 'K':
                AskSignal(pane, key.KeyChar == 'C' ? SignalKind.Cancel : SignalKind.Terminate, SlowSessions(pane), "slow");
                break;
            case 'e':
                await ExplainAsync(pane, analyze: false, cancellationToken).ConfigureAwait(false);
                break;
            case 'E':
                if (SelectedSession(pane) is { } analyzed)
                {
                    _confirm = new Confirmation(
                        $"EXPLAIN ANALYZE runs pid {analyzed.Pid}'s statement again (rolled back afterwards). Run it? [y/N]",
                        [Formatting.OneLine(analyzed.Query)],
                        () => ExplainAsync(pane, analyze: true, cancellationToken));
                }

                break;
            case 'd':
                _databaseSizes = !_databaseSizes;
                break;
            case '+':
                _refreshSeconds = Math.Min(60, _refreshSeconds >= 1 ? _refreshSeconds + 1 : _refreshSeconds + 0.5);
                _message = $"refresh every {_refreshSeconds} s";
                break;
            case '-':
                _refreshSeconds = Math.Max(0.5, _refreshSeconds > 1 ? _refreshSeconds - 1 : _refreshSeconds - 0.5);
                _message = $"refresh every {_refreshSeconds} s";
                break;
        }
    }

    private Task PromptKeyAsync(ConsoleKeyInfo key)
    {
        switch (key.Key)
        {
            case ConsoleKey.Escape:
                _input = null;
                _prompt = null;
                break;
            case ConsoleKey.Enter:
                try
                {
                    _filter = SessionFilter.ParseLine(_input!.ToString());
                    _message = _filter.IsEmpty ? "filter cleared" : $"filter: {_filter}";
                    foreach (var p in _panes)
                    {
                        p.Selected = 0;
                    }
                }
                catch (FormatException ex)
                {
                    _message = ex.Message;
                }

                _input = null;
                _prompt = null;
                break;
            case ConsoleKey.Backspace:
                if (_input!.Length > 0)
                {
                    _input.Length--;
                }

                break;
            default:
                if (!char.IsControl(key.KeyChar))
                {
                    _input!.Append(key.KeyChar);
                }

                break;
        }

        return Task.CompletedTask;
    }

    private void Rewind(int step)
    {
        var available = _panes.Max(p => p.HistoryCount) - 1;
        if (step > 0 && _rewind >= available)
        {
            // Nothing older to show: say so, and do not pause (pausing here froze the screen on the first
            // snapshot when [ came before the second refresh, which looked like a broken rewind).
            _message = available <= 0
                ? "rewind: no older snapshot yet (wait for the next refresh)"
                : $"rewind: this is the oldest snapshot kept ({available + 1}, --rewind)";
            return;
        }

        _paused = true;
        _rewind = Math.Clamp(_rewind + step, 0, Math.Max(0, available));
        _message = _rewind == 0 ? "paused at the latest snapshot" : $"rewind: {_rewind} refresh(es) back";
    }

    private void AskSignal(ServerPane pane, SignalKind kind, List<Session> targets, string what)
    {
        var verb = kind == SignalKind.Cancel ? "Cancel" : "Terminate";
        if (targets.Count == 0)
        {
            _message = $"{verb}: no {what} session";
            return;
        }

        var details = targets.Select(s => $"pid {s.Pid} {s.User}@{s.Database} {s.State} {Formatting.Duration(s.QueryAgeSeconds)}: {Formatting.OneLine(s.Query)}").ToList();
        var pids = targets.Select(s => s.Pid).ToList();
        _confirm = new Confirmation(
            $"{verb} {targets.Count} {what} backend(s) on {pane.Name}? [y/N]",
            details,
            async () =>
            {
                var results = await BackendSignaller.SignalAsync(pane.Collector, kind, pids, CancellationToken.None).ConfigureAwait(false);
                _message = string.Join("; ", results.Select(r => r.Message));
                pane.Tagged.Clear();
            });
    }

    private List<Session> Targets(ServerPane pane)
    {
        var snapshot = pane.At(_rewind);
        if (snapshot is null)
        {
            return [];
        }

        if (pane.Tagged.Count > 0)
        {
            return snapshot.Sessions.Where(s => pane.Tagged.Contains(s.Pid)).ToList();
        }

        return SelectedSession(pane) is { } selected ? [selected] : [];
    }

    private List<Session> RootBlocker(ServerPane pane)
    {
        var snapshot = pane.At(_rewind);
        if (snapshot is null || SelectedPid(pane) is not { } pid)
        {
            return [];
        }

        foreach (var line in LockTreeLines.Build(snapshot.LockTree))
        {
            if (line.Pid == pid)
            {
                return snapshot.LockTree.Where(r => r.Pid == line.RootPid).Select(r => r.Session).ToList();
            }
        }

        return [];
    }

    private List<Session> SlowSessions(ServerPane pane) =>
        pane.At(_rewind)?.Sessions.Where(s => s.IsSlow(_options.SlowThresholdSeconds)).ToList() ?? [];

    private async Task ExplainAsync(ServerPane pane, bool analyze, CancellationToken cancellationToken)
    {
        if (SelectedSession(pane) is not { } session || pane.At(_rewind) is not { } snapshot)
        {
            _message = "EXPLAIN: no session selected";
            return;
        }

        var plan = await QueryExplainer.ExplainAsync(pane.Collector.ConnectionStringFor(session.Database), session, analyze, snapshot.Server.VersionNumber, cancellationToken).ConfigureAwait(false);
        _textTitle = $"{(analyze ? "EXPLAIN ANALYZE" : "EXPLAIN")} of pid {session.Pid} on {pane.Name} (any key returns)";
        _text = [.. Formatting.OneLine(session.Query).Chunk(Math.Max(20, _width)).Select(c => new string(c)), string.Empty, .. plan.Split('\n')];
        _screen = Screen.Text;
    }

    private async Task ShowStatementsAsync(ServerPane pane, CancellationToken cancellationToken)
    {
        var version = pane.At(0)?.Server.VersionNumber ?? 0;
        try
        {
            _statements = await pane.Collector.UseConnectionAsync((c, ct) => StatementsReader.ReadAsync(c, version, 200, ct), cancellationToken).ConfigureAwait(false);
            _screen = Screen.Statements;
            if (_statements is null)
            {
                _message = "pg_stat_statements is not installed in this database (CREATE EXTENSION pg_stat_statements)";
                _screen = Screen.Activity;
            }
        }
        catch (CollectorException ex)
        {
            _message = ex.Message;
        }
        catch (Npgsql.PostgresException ex)
        {
            _message = $"pg_stat_statements: {ex.MessageText}";
        }
    }
}
