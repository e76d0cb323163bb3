using Opskit.Testing;

namespace Opskit.ExecLog.Tests.Running;

/// <summary>On a terminal the child keeps the terminal (isatty, colours, line buffering); driven in a real tmux pane.</summary>
public sealed class TerminalTests
{
    [Fact]
    public async Task On_a_terminal_the_child_writes_to_it_directly_and_counts_are_null()
    {
        var tmux = ExternalProgram.Require("tmux", "apt: tmux");
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var session = "execlog-" + Guid.NewGuid().ToString("N")[..8];
        var command = $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- sh -c 'if [ -t 1 ]; then echo stdout-is-a-tty; else echo stdout-is-not-a-tty; fi; sleep 600'";
        var (started, _, startErr) = await Wrapper.BashAsync(
            $"{Wrapper.Quote(tmux)} -L {session} -f /dev/null new-session -d -s {session} -x 120 -y 20 {Wrapper.Quote(command)}");
        Assert.True(started == 0, startErr);
        try
        {
            var seen = await Eventually.TryAsync(
                async () => System.Text.Encoding.UTF8.GetString((await Wrapper.BashAsync($"{Wrapper.Quote(tmux)} -L {session} capture-pane -p -t {session}")).Stdout).Contains("stdout-is-a-tty", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60));
            Assert.True(seen, "the child did not see a terminal on stdout");

            // Ctrl-C on the terminal reaches the whole foreground group; the wrapper must not send it a second time.
            await Wrapper.BashAsync($"{Wrapper.Quote(tmux)} -L {session} send-keys -t {session} C-c");
            if (!await Eventually.TryAsync(() => File.Exists(log) && new FileInfo(log).Length > 0, TimeSpan.FromSeconds(60)))
            {
                // Failed once in a full run and never alone: say what the pane and its processes were doing.
                var pane = System.Text.Encoding.UTF8.GetString((await Wrapper.BashAsync($"{Wrapper.Quote(tmux)} -L {session} capture-pane -p -t {session}")).Stdout);
                var processes = System.Text.Encoding.UTF8.GetString((await Wrapper.BashAsync(
                    $"for p in $({Wrapper.Quote(tmux)} -L {session} list-panes -F '#{{pane_pid}}'); do ps -o pid,ppid,pgid,tpgid,stat,args --ppid $p -p $p; ps -o pid,ppid,pgid,tpgid,stat,args -g $(ps -o pgid= -p $p); done")).Stdout);
                var state = File.Exists(dir.File("state")) ? File.ReadAllText(dir.File("state")) : "(no state file)";
                Assert.Fail($"no record 60 s after Ctrl-C.\npane:\n{pane}\nprocesses:\n{processes}\nstate: {state}");
            }

            var record = Wrapper.SingleRecord(log);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, record.GetProperty("stdout_bytes").ValueKind);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, record.GetProperty("first_line").ValueKind);
            Assert.Equal("INT", record.GetProperty("signal").GetString());
            Assert.Equal(0, record.GetProperty("forwarded_signals").GetArrayLength());
        }
        finally
        {
            await Wrapper.BashAsync($"{Wrapper.Quote(tmux)} -L {session} kill-server");
        }
    }
}
