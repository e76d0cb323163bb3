using Opskit.Testing;

namespace Opskit.ExecLog.Tests.Integration;

public sealed class HelperCommandTests
{
    [Fact]
    public async Task Nrpe_config_wraps_every_executable_plugin()
    {
        using var dir = new TempDirectory("execlog");
        var plugins = Directory.CreateDirectory(dir.File("plugins")).FullName;
        foreach (var name in new[] { "check_disk", "check load" })
        {
            var path = Path.Combine(plugins, name);
            await File.WriteAllTextAsync(path, "#!/bin/sh\necho OK\n", TestContext.Current.CancellationToken);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await File.WriteAllTextAsync(Path.Combine(plugins, "README"), "not a plugin", TestContext.Current.CancellationToken);

        var (exit, stdout, _) = await Wrapper.BashAsync($"{Wrapper.Opskit} execlog nrpe-config --plugins {Wrapper.Quote(plugins)} --opskit /usr/bin/opskit");

        Assert.Equal(0, exit);
        var lines = System.Text.Encoding.UTF8.GetString(stdout).Split('\n').Where(l => l.StartsWith("command[", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                $"command[check_load]=/usr/bin/opskit execlog --tag nrpe_command=check_load -- '{plugins}/check load'",
                $"command[check_disk]=/usr/bin/opskit execlog --tag nrpe_command=check_disk -- {plugins}/check_disk",
            ],
            lines);
    }

    [Fact]
    public async Task Nrpe_config_line_runs_the_plugin_through_the_wrapper_as_nrpe_would()
    {
        using var dir = new TempDirectory("execlog");
        var plugins = Directory.CreateDirectory(dir.File("plugins")).FullName;
        var plugin = Path.Combine(plugins, "check_thing");
        await File.WriteAllTextAsync(plugin, "#!/bin/sh\necho \"THING WARNING - $1\"\nexit 1\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var log = dir.File("runs.jsonl");
        var (_, config, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog nrpe-config --plugins {Wrapper.Quote(plugins)} --opskit {Wrapper.Quote(Wrapper.Opskit)} --with-args --log {Wrapper.Quote(log)}");
        var line = System.Text.Encoding.UTF8.GetString(config).Split('\n').Single(l => l.StartsWith("command[check_thing]=", StringComparison.Ordinal));
        var commandLine = line["command[check_thing]=".Length..].Replace("$ARG1$", "42%", StringComparison.Ordinal);

        // NRPE runs the command line with /bin/sh -c.
        var (exit, stdout, _) = await Wrapper.BashAsync($"/bin/sh -c {Wrapper.Quote(commandLine + " --state-file " + dir.File("state"))}");

        Assert.Equal(1, exit);
        Assert.Equal("THING WARNING - 42%\n", System.Text.Encoding.UTF8.GetString(stdout));
        var record = Wrapper.SingleRecord(log);
        Assert.Equal("check_thing", record.GetProperty("tags").GetProperty("nrpe_command").GetString());
        Assert.Equal("THING WARNING - 42%", record.GetProperty("first_line").GetString());
    }

    [Fact]
    public async Task Bash_snippet_is_valid_bash_and_logs_with_quoted_commands()
    {
        using var dir = new TempDirectory("execlog");
        var snippet = dir.File("snippet.sh");
        var (exit, stdout, _) = await Wrapper.BashAsync($"{Wrapper.Opskit} execlog bash-snippet > {Wrapper.Quote(snippet)}; bash -n {Wrapper.Quote(snippet)}");
        Assert.Equal(0, exit);
        Assert.Empty(stdout);

        // Run it in an interactive bash whose logger is a stub that appends its message to a file.
        var messages = dir.File("messages");
        var bin = Directory.CreateDirectory(dir.File("bin")).FullName;
        await File.WriteAllTextAsync(Path.Combine(bin, "logger"), $"#!/bin/bash\nprintf '%s\\n' \"${{@: -1}}\" >> {Wrapper.Quote(messages)}\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(Path.Combine(bin, "logger"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await Wrapper.BashAsync(
            $"cd {Wrapper.Quote(dir.Path)}; PATH={Wrapper.Quote(bin)}:$PATH bash --norc --noprofile -i 2>/dev/null <<'EOF'\nsource {snippet}\necho 'fake\nforged line'\nfalse\nexit\nEOF");

        var logged = await File.ReadAllLinesAsync(messages, TestContext.Current.CancellationToken);
        Assert.Contains(logged, l => l.StartsWith("run ", StringComparison.Ordinal) && l.Contains("cmd=$'echo \\'fake\\nforged line\\''", StringComparison.Ordinal));
        Assert.Contains(logged, l => l.StartsWith("done ", StringComparison.Ordinal) && l.Contains("exit=1 cmd='false'", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, l => l.StartsWith("forged", StringComparison.Ordinal));
    }
}
