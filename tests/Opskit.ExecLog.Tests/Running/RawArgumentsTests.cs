using System.Text;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Tests.Running;

public sealed class RawArgumentsTests
{
    private static byte[] Cmdline(params byte[][] parts)
    {
        var all = new List<byte>();
        foreach (var part in parts)
        {
            all.AddRange(part);
            all.Add(0);
        }

        return [.. all];
    }

    [Fact]
    public void Raw_bytes_after_the_separator_are_taken_from_cmdline()
    {
        byte[] latin1 = [0x63, 0x61, 0x66, 0xe9]; // "café" in Latin-1: invalid UTF-8
        var cmdline = Cmdline("dotnet"u8.ToArray(), "/x/opskit.dll"u8.ToArray(), "execlog"u8.ToArray(), "--tag"u8.ToArray(), "a=b"u8.ToArray(), "--"u8.ToArray(), "ls"u8.ToArray(), latin1, []);
        string[] managed = ["execlog", "--tag", "a=b", "--", "ls", Encoding.UTF8.GetString(latin1), ""];

        var argv = RawArguments.CommandAfterSeparator(managed, cmdline, "execlog");

        Assert.NotNull(argv);
        Assert.Equal(3, argv.Length);
        Assert.Equal("ls"u8.ToArray(), argv[0]);
        Assert.Equal(latin1, argv[1]);
        Assert.Empty(argv[2]);
    }

    [Fact]
    public void Only_the_first_separator_counts()
    {
        string[] managed = ["execlog", "--", "env", "--", "x"];
        var argv = RawArguments.CommandAfterSeparator(managed, Cmdline([.. managed.Select(Encoding.UTF8.GetBytes)]), "execlog");

        Assert.Equal(["env", "--", "x"], argv!.Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public void Without_a_separator_there_is_no_command() =>
        Assert.Null(RawArguments.CommandAfterSeparator(["execlog", "/bin/true"], [], "execlog"));

    [Fact]
    public void Unaligned_cmdline_falls_back_to_the_managed_arguments()
    {
        var argv = RawArguments.CommandAfterSeparator(["execlog", "--", "echo", "hi"], Cmdline("something"u8.ToArray(), "else"u8.ToArray()), "execlog");

        Assert.Equal(["echo", "hi"], argv!.Select(Encoding.UTF8.GetString));
    }
}
