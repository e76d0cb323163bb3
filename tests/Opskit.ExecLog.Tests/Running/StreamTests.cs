using Opskit.Testing;

namespace Opskit.ExecLog.Tests.Running;

public sealed class StreamTests
{
    [Fact]
    public async Task Binary_stdin_to_stdout_passes_byte_for_byte_and_is_counted()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var input = BinaryPayload(3 * 1024 * 1024 + 17);
        await File.WriteAllBytesAsync(dir.File("in.bin"), input, TestContext.Current.CancellationToken);

        var (exit, _, stderr) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- cat < {Wrapper.Quote(dir.File("in.bin"))} | cat > {Wrapper.Quote(dir.File("out.bin"))}");

        Assert.True(exit == 0, stderr);
        Assert.Equal(input, await File.ReadAllBytesAsync(dir.File("out.bin"), TestContext.Current.CancellationToken));
        var record = Wrapper.SingleRecord(log);
        Assert.Equal(input.Length, record.GetProperty("stdout_bytes").GetInt64());
        Assert.Equal(0, record.GetProperty("stderr_bytes").GetInt64());
    }

    [Fact]
    public async Task Binary_stderr_passes_byte_for_byte_and_stdout_stays_separate()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var input = BinaryPayload(512 * 1024);

        var (exit, stdout, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- sh -c 'echo out; cat >&2' 2> {Wrapper.Quote(dir.File("err.bin"))}",
            stdin: input);

        Assert.Equal(0, exit);
        Assert.Equal("out\n"u8.ToArray(), stdout);
        Assert.Equal(input, await File.ReadAllBytesAsync(dir.File("err.bin"), TestContext.Current.CancellationToken));
        var record = Wrapper.SingleRecord(log);
        Assert.Equal(input.Length, record.GetProperty("stderr_bytes").GetInt64());
        Assert.Equal(4, record.GetProperty("stdout_bytes").GetInt64());
    }

    [Fact]
    public async Task First_line_of_stdout_is_the_plugin_status_line()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var (exit, stdout, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- sh -c 'printf \"DISK WARNING - free space: / 9%%|/=91%%;80;90\\r\\nlong text\\n\"; exit 1'");

        Assert.Equal(1, exit);
        Assert.Equal("DISK WARNING - free space: / 9%|/=91%;80;90\r\nlong text\n"u8.ToArray(), stdout);
        var record = Wrapper.SingleRecord(log);
        Assert.Equal("DISK WARNING - free space: / 9%|/=91%;80;90", record.GetProperty("first_line").GetString());
        Assert.False(record.GetProperty("first_line_truncated").GetBoolean());
    }

    [Fact]
    public async Task A_closed_reader_gives_the_child_SIGPIPE_as_without_the_wrapper()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var (exit, stdout, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- yes | head -n 1; echo \"status ${{PIPESTATUS[0]}}\"");

        Assert.Equal(0, exit);
        Assert.Equal("y\nstatus 141\n"u8.ToArray(), stdout);
        Assert.Equal("PIPE", Wrapper.SingleRecord(log).GetProperty("signal").GetString());
    }

    [Fact]
    public async Task A_background_descendant_holding_stdout_does_not_hold_the_record_past_the_drain_timeout()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var (exit, _, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --drain-timeout 0.2 --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- sh -c 'echo first; (sleep 10; echo late) & exit 4' > {Wrapper.Quote(dir.File("out"))}",
            TimeSpan.FromSeconds(60));

        Assert.Equal(4, exit);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(8), $"took {started.Elapsed}");
        var record = Wrapper.SingleRecord(log);
        Assert.True(record.GetProperty("output_cut_off").GetBoolean());
        Assert.Equal("first", record.GetProperty("first_line").GetString());
    }

    /// <summary>Every byte value, NULs and newlines included, in a pattern that no copy loop could get right by accident.</summary>
    private static byte[] BinaryPayload(int length)
    {
        var data = new byte[length];
        new Random(1234).NextBytes(data);
        for (var i = 0; i < 256 && i < length; i++)
        {
            data[i] = (byte)i;
        }

        return data;
    }
}
