using Opskit.Testing;

namespace Opskit.ExecLog.Tests.Running;

public sealed class ExitCodeTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    [InlineData(255)]
    public async Task Exit_code_of_the_child_is_the_wrappers_and_is_recorded(int code)
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var (exit, _, stderr) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- sh -c 'exit {code}'");

        Assert.True(code == exit, stderr);
        var record = Wrapper.SingleRecord(log);
        Assert.Equal(code, record.GetProperty("exit").GetInt32());
        Assert.Equal(code, record.GetProperty("exit_status").GetInt32());
        Assert.Equal("exited", record.GetProperty("result").GetString());
        Assert.Equal("sh -c 'exit " + code + "'", record.GetProperty("command").GetString());
    }

    [Fact]
    public async Task Child_killed_by_a_signal_gives_128_plus_the_signal()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var (exit, _, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- sh -c 'kill -KILL $$'");

        Assert.Equal(128 + 9, exit);
        var record = Wrapper.SingleRecord(log);
        Assert.Equal("killed", record.GetProperty("result").GetString());
        Assert.Equal("KILL", record.GetProperty("signal").GetString());
        Assert.Equal(9, record.GetProperty("signal_number").GetInt32());
        Assert.Equal(137, record.GetProperty("exit_status").GetInt32());
    }

    [Fact]
    public async Task Missing_command_exits_127_with_a_record_saying_so()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var (exit, stdout, stderr) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- no-such-command-xyz arg");

        Assert.Equal(127, exit);
        Assert.Empty(stdout);
        Assert.Contains("no-such-command-xyz: command not found", stderr, StringComparison.Ordinal);
        var record = Wrapper.SingleRecord(log);
        Assert.Equal("not-started", record.GetProperty("result").GetString());
        Assert.Equal("command not found", record.GetProperty("error").GetString());
        Assert.Equal(127, record.GetProperty("exit_status").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, record.GetProperty("exit").ValueKind);
    }

    [Fact]
    public async Task A_file_that_is_not_executable_exits_126()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var script = dir.File("plain.txt");
        await File.WriteAllTextAsync(script, "not a program\n", TestContext.Current.CancellationToken);
        var (exit, _, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- {Wrapper.Quote(script)}");

        Assert.Equal(126, exit);
        Assert.Equal("permission denied", Wrapper.SingleRecord(log).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Without_a_separator_the_wrapper_refuses_with_125()
    {
        var (exit, _, stderr) = await Wrapper.BashAsync($"{Wrapper.Opskit} execlog --to stderr /bin/true");

        Assert.Equal(125, exit);
        Assert.Contains("usage: opskit execlog [options] -- COMMAND", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_option_before_the_separator_is_refused_not_run()
    {
        using var dir = new TempDirectory("execlog");
        var (exit, stdout, stderr) = await Wrapper.BashAsync($"{Wrapper.Opskit} execlog --to stderr --bogus -- echo ran");

        Assert.Equal(125, exit);
        Assert.Empty(stdout);
        Assert.Equal("opskit execlog: unknown option or argument before --: --bogus", stderr.Trim());
    }

    [Fact]
    public async Task A_bad_option_value_is_one_line_and_125()
    {
        var (exit, _, stderr) = await Wrapper.BashAsync($"{Wrapper.Opskit} execlog --priority nonsense -- /bin/true");

        Assert.Equal(125, exit);
        Assert.Equal("opskit execlog: --priority: expected facility.level such as auth.info, got 'nonsense'", stderr.Trim());
    }
}
