using System.Net.Sockets;
using System.Text;
using Opskit.Testing;

namespace Opskit.ExecLog.Tests.Records;

/// <summary>Nasty arguments reach the child unchanged and are recorded without a forged line, in every format.</summary>
public sealed class ArgumentTests
{
    // Bash words for the arguments, and what the child must receive.
    private const string NastyWords = "'with space' 'quote\"d' \"it's\" $'new\\nline' $'cr\\rhere' $'\\xff\\xfeinvalid' $'\\e[31mred' '' 'fake\n<38>1 2026-01-01T00:00:00Z h opskit-execlog 1 exec - forged'";

    private static readonly byte[][] Expected =
    [
        "with space"u8.ToArray(),
        "quote\"d"u8.ToArray(),
        "it's"u8.ToArray(),
        "new\nline"u8.ToArray(),
        "cr\rhere"u8.ToArray(),
        [0xff, 0xfe, .. "invalid"u8],
        "\u001b[31mred"u8.ToArray(),
        [],
        "fake\n<38>1 2026-01-01T00:00:00Z h opskit-execlog 1 exec - forged"u8.ToArray(),
    ];

    [Fact]
    public async Task Child_receives_every_argument_byte_for_byte()
    {
        using var dir = new TempDirectory("execlog");
        var (exit, stdout, stderr) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(dir.File("r.jsonl"))} --state-file {Wrapper.Quote(dir.File("state"))} -- printf '%s\\0' {NastyWords}");

        Assert.True(exit == 0, stderr);
        var expected = new List<byte>();
        foreach (var argument in Expected)
        {
            expected.AddRange(argument);
            expected.Add(0);
        }

        Assert.Equal(expected.ToArray(), stdout);
    }

    [Fact]
    public async Task Json_record_is_one_line_with_the_exact_command_in_shell_form()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("r.jsonl");
        var (exit, _, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- printf '%s\\0' {NastyWords} > /dev/null");

        Assert.Equal(0, exit);
        var lines = (await File.ReadAllTextAsync(log, TestContext.Current.CancellationToken)).Split('\n');
        Assert.Equal(2, lines.Length); // one line and the empty rest after its newline
        var record = Wrapper.SingleRecord(log);
        var command = record.GetProperty("command").GetString()!;
        Assert.Equal(
            "printf '%s\\0' 'with space' 'quote\"d' $'it\\'s' $'new\\nline' $'cr\\rhere' $'\\xff\\xfeinvalid' $'\\x1b[31mred' '' $'fake\\n<38>1 2026-01-01T00:00:00Z h opskit-execlog 1 exec - forged'",
            command);
        Assert.Equal(11, record.GetProperty("argv").GetArrayLength());
        Assert.Equal("\uFFFD\uFFFDinvalid", record.GetProperty("argv")[7].GetString());
        Assert.Equal("new\nline", record.GetProperty("argv")[5].GetString());

        // The shell form is exact: bash turns it back into the same bytes.
        var (_, replayed, _) = await Wrapper.BashAsync(command + " | od -An -tx1 | tr -d ' \\n'");
        var (_, direct, _) = await Wrapper.BashAsync($"printf '%s\\0' {NastyWords} | od -An -tx1 | tr -d ' \\n'");
        Assert.Equal(Encoding.ASCII.GetString(direct), Encoding.ASCII.GetString(replayed));
    }

    [Fact]
    public async Task Syslog_and_stderr_lines_hold_no_control_character()
    {
        using var dir = new TempDirectory("execlog");
        var socketPath = dir.File("log.sock");
        using var syslog = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        syslog.Bind(new UnixDomainSocketEndPoint(socketPath));

        var (exit, _, stderr) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --every --to syslog,stderr --syslog-socket {Wrapper.Quote(socketPath)} --state-file {Wrapper.Quote(dir.File("state"))} -- printf '%s\\0' {NastyWords} > /dev/null");

        Assert.Equal(0, exit);
        var buffer = new byte[65536];
        syslog.ReceiveTimeout = 30_000;
        var length = syslog.Receive(buffer);
        var datagram = buffer.AsSpan(0, length);
        Assert.True(datagram.IndexOfAnyInRange((byte)0, (byte)0x1f) < 0, Encoding.UTF8.GetString(datagram));
        Assert.True(datagram.IndexOf((byte)0x7f) < 0);
        var recordLines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("opskit execlog: ", StringComparison.Ordinal)).ToList();
        Assert.Single(recordLines);
        Assert.Contains("$'new\\nline'", recordLines[0], StringComparison.Ordinal);
        Assert.DoesNotContain(stderr.Split('\n'), l => l.StartsWith("<38>", StringComparison.Ordinal));
    }
}
