using Npgsql;
using Opskit.PgTop.Collection;
using Opskit.Testing;

namespace Opskit.PgTop.Tests.Terminal;

/// <summary>The interactive screen in a real terminal (tmux): keys in with send-keys, the screen read with capture-pane.</summary>
public sealed class TuiTests(PgFixture pg)
{
    [Fact(Timeout = 120_000)]
    public async Task Start_filter_sort_lock_tree_cancel_with_confirmation_help_rewind_resize_and_quit()
    {
        await using var chain = await LockChain.CreateAsync(pg);
        var tag = PgFixture.Unique("t_tui");
        await using var sleeper = await pg.OpenAsync(tag + "_sleep");
        var sleep = PgFixture.StartAsync(sleeper, "SELECT pg_sleep(120)");
        await using (var collector = new Collector(pg.Target()))
        {
            await Eventually.AssertAsync(
                async () => chain.WaitersVisible(await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken)),
                TimeSpan.FromSeconds(30),
                "the lock chain forms");
        }

        using var home = new TempDirectory();
        var (dotnet, prefix) = RepoPaths.OpskitCommand();
        await using var tmux = await Tmux.StartAsync(
            [dotnet, .. prefix, "pgtop", "--server", $"tui=postgresql://postgres@127.0.0.1:{pg.Server.Port}/postgres", "--refresh", "0.5", "--rewind", "10000"],
            160,
            40,
            new Dictionary<string, string> { ["HOME"] = home.Path, ["TERM"] = "xterm-256color" });

        // Start: the header and our sessions.
        await tmux.WaitForAsync("tui - PostgreSQL");
        await tmux.WaitForAsync($"{sleeper.ProcessID}");

        // Filter to the lock chain: only its sessions remain.
        await tmux.SendAsync("/");
        await tmux.WaitForAsync("filter (");
        await tmux.SendAsync("-l", $"app=/^{chain.Tag}_/");
        await tmux.SendAsync("Enter");
        var filtered = await tmux.WaitForAsync(s => s.Contains($"filter app=/^{chain.Tag}_/", StringComparison.Ordinal) && !s.Contains($"{sleeper.ProcessID} ", StringComparison.Ordinal), "the filtered list");
        Assert.Contains($"{chain.D} ", filtered, StringComparison.Ordinal);

        // Sort: the key moves to the next column and the status line says so.
        await tmux.SendAsync("s", "s", "s"); // query_age -> backend_age -> query -> pid
        await tmux.WaitForAsync("sort pid desc");
        var sorted = await tmux.WaitForAsync(s => Order(s, chain) is { Count: 5 }, "five sorted rows");
        Assert.Equal(Order(sorted, chain), Order(sorted, chain).OrderDescending().ToList());

        // Lock tree: two roots, C under A and D under C.
        await tmux.SendAsync("2");
        var tree = await tmux.WaitForAsync("LOCK TREE:");
        Assert.Contains($"{chain.A} [root]", tree, StringComparison.Ordinal);
        Assert.Contains($"{chain.B} [root]", tree, StringComparison.Ordinal);
        Assert.Contains($"└─ {chain.C} ", tree, StringComparison.Ordinal);
        Assert.Contains($"   └─ {chain.D} ", tree, StringComparison.Ordinal);
        await tmux.SendAsync("1");

        // Help lists the keys.
        await tmux.SendAsync("?");
        await tmux.WaitForAsync("opskit pgtop keys");
        await tmux.SendAsync("Escape");
        await tmux.WaitForAsync("PID     DATABASE");

        // Cancel with confirmation: filter to the sleeper, press c, answer n first (nothing happens), then y.
        await tmux.SendAsync("/");
        await tmux.SendAsync([.. Enumerable.Repeat("BSpace", 80)]);

        await tmux.SendAsync("-l", $"app={tag}_sleep");
        await tmux.SendAsync("Enter");
        await tmux.WaitForAsync($"filter app={tag}_sleep");
        await tmux.WaitForAsync($"{sleeper.ProcessID} ");
        await tmux.SendAsync("c");
        var question = await tmux.WaitForAsync("[y/N]");
        Assert.Contains($"pid {sleeper.ProcessID} ", question, StringComparison.Ordinal);
        Assert.Contains("pg_sleep(120)", question, StringComparison.Ordinal);
        await tmux.SendAsync("n");
        await tmux.WaitForAsync("nothing sent");
        Assert.False(sleep.IsCompleted);
        await tmux.SendAsync("c");
        await tmux.WaitForAsync("[y/N]");
        await tmux.SendAsync("y");
        await tmux.WaitForAsync($"cancel sent to pid {sleeper.ProcessID}");
        var cancelled = await Assert.ThrowsAsync<PostgresException>(() => sleep.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal("57014", cancelled.SqlState);

        // Rewind. First a refresh after the cancel: the sleeper's row is gone (idle sessions are hidden), so an
        // older snapshot with the row exists. (The steps above can all finish on the first snapshot; pressing [
        // then had nothing to rewind to, which is what failed in loaded full runs.)
        var sleeperRow = $"{sleeper.ProcessID} ";
        await tmux.WaitForAsync(s => !HasRow(s, sleeperRow) && s.Contains("every 0.5s", StringComparison.Ordinal), "the cancelled sleeper's row gone");

        // Step back one snapshot at a time until the sleeper is active again: the status bar says how far back,
        // the header the snapshot's time. The history (--rewind 10000) still holds every snapshot of this test.
        var steps = 0;
        string rewound;
        do
        {
            steps++;
            Assert.True(steps <= 5000, "no snapshot in the history shows the sleeper");
            await tmux.SendAsync("[");
            rewound = await tmux.WaitForAsync($"PAUSED, rewind -{steps} |");
        }
        while (!HasRow(rewound, sleeperRow));

        Assert.Contains("[snapshot of ", rewound, StringComparison.Ordinal);
        Assert.Contains($"rewind: {steps} refresh(es) back", rewound, StringComparison.Ordinal);
        Assert.Contains("pg_sleep(120)", rewound, StringComparison.Ordinal);

        // Forward again to the latest snapshot: still paused, the row gone again.
        await tmux.SendAsync([.. Enumerable.Repeat("]", steps)]);
        var latest = await tmux.WaitForAsync("paused at the latest snapshot");
        Assert.Contains("PAUSED |", latest, StringComparison.Ordinal);
        Assert.False(HasRow(latest, sleeperRow), latest);
        await tmux.SendAsync("Space");
        await tmux.WaitForAsync("every 0.5s");

        // Resize: the frame follows the new width.
        await tmux.ResizeAsync(90, 20);
        var small = await tmux.WaitForAsync(s => s.Contains("tui - PostgreSQL", StringComparison.Ordinal) && s.Split('\n').All(l => l.TrimEnd().Length <= 90) && s.Contains("PID     DATABASE   USER       STATE", StringComparison.Ordinal), "a 90-column frame");
        Assert.DoesNotContain("CLIENT", small, StringComparison.Ordinal);

        // Quit.
        await tmux.SendAsync("q");
        await Eventually.AssertAsync(() => tmux.PaneDeadAsync(), TimeSpan.FromSeconds(30), "pgtop exits on q");
    }

    [Fact(Timeout = 120_000)]
    public async Task Rewind_before_a_second_snapshot_says_so_and_keeps_refreshing()
    {
        using var home = new TempDirectory();
        var (dotnet, prefix) = RepoPaths.OpskitCommand();
        // 60 s between refreshes: [ surely comes while only the first snapshot exists.
        await using var tmux = await Tmux.StartAsync(
            [dotnet, .. prefix, "pgtop", "--server", $"early=postgresql://postgres@127.0.0.1:{pg.Server.Port}/postgres", "--refresh", "60"],
            120,
            30,
            new Dictionary<string, string> { ["HOME"] = home.Path, ["TERM"] = "xterm-256color" });
        await tmux.WaitForAsync("early - PostgreSQL");
        await tmux.SendAsync("[");
        var screen = await tmux.WaitForAsync("no older snapshot yet");
        Assert.Contains("every 60s |", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("PAUSED", screen, StringComparison.Ordinal);
        await tmux.SendAsync("q");
        await Eventually.AssertAsync(() => tmux.PaneDeadAsync(), TimeSpan.FromSeconds(30), "pgtop exits on q");
    }

    [Fact(Timeout = 180_000)]
    public async Task Two_servers_one_above_the_other_and_a_dropped_one_reconnects()
    {
        await using var second = await PostgresServer.StartAsync();
        using var home = new TempDirectory();
        var (dotnet, prefix) = RepoPaths.OpskitCommand();
        await using var tmux = await Tmux.StartAsync(
            [
                dotnet, .. prefix, "pgtop", "--refresh", "0.5",
                "--server", $"alpha=postgresql://postgres@127.0.0.1:{pg.Server.Port}/postgres",
                "--server", $"beta=postgresql://postgres@127.0.0.1:{second.Port}/postgres",
            ],
            140,
            40,
            new Dictionary<string, string> { ["HOME"] = home.Path, ["TERM"] = "xterm-256color" });

        var both = await tmux.WaitForAsync(s => s.Contains("alpha - PostgreSQL", StringComparison.Ordinal) && s.Contains("beta - PostgreSQL", StringComparison.Ordinal), "both servers");
        Assert.True(both.IndexOf("alpha - PostgreSQL", StringComparison.Ordinal) < both.IndexOf("beta - PostgreSQL", StringComparison.Ordinal), both);

        // The second server goes away: its pane shows the reconnecting banner, the first goes on, nothing crashes.
        await PgControl.KillAsync(second);
        await tmux.WaitForAsync(s => s.Contains("beta: reconnecting...", StringComparison.Ordinal) && s.Contains("alpha - PostgreSQL", StringComparison.Ordinal), "the reconnecting banner of beta");
        Assert.False(await tmux.PaneDeadAsync());

        // It comes back: the banner goes, its header is drawn from a new connection.
        await PgControl.StartAsync(second);
        await tmux.WaitForAsync(s => !s.Contains("reconnecting", StringComparison.Ordinal) && s.Contains("beta - PostgreSQL", StringComparison.Ordinal), "beta back without the banner", TimeSpan.FromSeconds(90));

        await tmux.SendAsync("q");
        await Eventually.AssertAsync(() => tmux.PaneDeadAsync(), TimeSpan.FromSeconds(30), "pgtop exits on q");
    }

    /// <summary>True when a line of the screen starts with <paramref name="start"/> (a row, not a message naming the pid).</summary>
    private static bool HasRow(string screen, string start) =>
        screen.Split('\n').Any(l => l.TrimStart('*').StartsWith(start, StringComparison.Ordinal));

    /// <summary>The pids of the chain's rows in screen order.</summary>
    private static List<int> Order(string screen, LockChain chain)
    {
        int[] pids = [chain.A, chain.B, chain.C, chain.D, chain.E];
        var order = new List<int>();
        foreach (var line in screen.Split('\n'))
        {
            var first = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.TrimStart('*');
            if (int.TryParse(first, out var pid) && pids.Contains(pid))
            {
                order.Add(pid);
            }
        }

        return order;
    }
}
