using System.Runtime.InteropServices;
using Opskit.Testing;

namespace Opskit.ExecLog.Tests.Running;

public sealed partial class SignalTests
{
    [Theory]
    [InlineData("TERM", 15)]
    [InlineData("INT", 2)]
    [InlineData("HUP", 1)]
    public async Task Signal_to_the_wrapper_reaches_the_child_and_is_reported(string name, int number)
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        // The child traps the signal, says so and exits 7: the wrapper must forward it and return 7.
        var child = $"trap 'echo got {name}; exit 7' {name}; echo ready; while :; do sleep 0.05; done";
        await using var wrapper = RepoPaths.StartOpskit(
            ["execlog", "--to", "file", "--log", log, "--state-file", dir.File("state"), "--", "bash", "-c", child]);
        await wrapper.WaitForOutputAsync("ready", TimeSpan.FromSeconds(60));

        Assert.Equal(0, Kill(wrapper.Pid, number));
        Assert.True(await wrapper.WaitForExitAsync(TimeSpan.FromSeconds(30)), wrapper.Output);

        Assert.Equal(7, wrapper.ExitCode);
        await wrapper.WaitForOutputAsync("got " + name, TimeSpan.FromSeconds(5));
        var record = Wrapper.SingleRecord(log);
        Assert.Equal(7, record.GetProperty("exit").GetInt32());
        Assert.Equal(name, Assert.Single(record.GetProperty("forwarded_signals").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Child_ended_by_the_forwarded_signal_gives_143_and_a_killed_record()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        await using var wrapper = RepoPaths.StartOpskit(
            ["execlog", "--to", "file", "--log", log, "--state-file", dir.File("state"), "--", "bash", "-c", "echo ready; exec sleep 60"]);
        await wrapper.WaitForOutputAsync("ready", TimeSpan.FromSeconds(60));
        // "ready" comes before the exec; wait until bash has become sleep, so the TERM reaches sleep's default action.
        Assert.True(await Eventually.TryAsync(() => Task.FromResult(ChildIsSleep(wrapper.Pid)), TimeSpan.FromSeconds(30)));

        wrapper.Terminate();
        Assert.True(await wrapper.WaitForExitAsync(TimeSpan.FromSeconds(30)), wrapper.Output);

        Assert.Equal(143, wrapper.ExitCode);
        var record = Wrapper.SingleRecord(log);
        Assert.Equal("TERM", record.GetProperty("signal").GetString());
        Assert.Equal("killed", record.GetProperty("result").GetString());
    }

    [Fact]
    public async Task Wrapper_survives_repeated_signals_until_the_child_decides()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var child = "n=0; trap 'n=$((n+1)); echo term $n; [ $n -ge 3 ] && exit 5' TERM; echo ready; while :; do sleep 0.05; done";
        await using var wrapper = RepoPaths.StartOpskit(
            ["execlog", "--to", "file", "--log", log, "--state-file", dir.File("state"), "--", "bash", "-c", child]);
        await wrapper.WaitForOutputAsync("ready", TimeSpan.FromSeconds(60));

        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(0, Kill(wrapper.Pid, 15));
            await wrapper.WaitForOutputAsync($"term {i}", TimeSpan.FromSeconds(30));
        }

        Assert.True(await wrapper.WaitForExitAsync(TimeSpan.FromSeconds(30)), wrapper.Output);
        Assert.Equal(5, wrapper.ExitCode);
        Assert.Equal(3, Wrapper.SingleRecord(log).GetProperty("forwarded_signals").GetArrayLength());
    }

    private static bool ChildIsSleep(int wrapperPid)
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{wrapperPid}/task"))
        {
            var children = File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var child in children)
            {
                if (File.ReadAllText($"/proc/{child}/comm").Trim() == "sleep")
                {
                    return true;
                }
            }
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
