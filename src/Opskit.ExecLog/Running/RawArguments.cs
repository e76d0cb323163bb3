using System.Text;

namespace Opskit.ExecLog.Running;

/// <summary>
/// The command to run, as the bytes the wrapper received. .NET decodes <c>argv</c> as UTF-8 and replaces
/// invalid sequences with U+FFFD, which would change an argument such as a Latin-1 file name; so the bytes
/// are read back from <c>/proc/self/cmdline</c>, whose tail lines up with the managed arguments.
/// </summary>
internal static class RawArguments
{
    /// <summary>The separator between the wrapper's options and the command.</summary>
    public const string Separator = "--";

    /// <summary>
    /// The arguments after the first <c>--</c> that follows the <paramref name="subcommand"/> token, as raw
    /// bytes; null when there is no such separator. <paramref name="managed"/> are the arguments .NET passed
    /// to <c>Main</c>; <paramref name="cmdline"/> is the content of <c>/proc/self/cmdline</c> (or null).
    /// </summary>
    public static byte[][]? CommandAfterSeparator(IReadOnlyList<string> managed, ReadOnlySpan<byte> cmdline, string subcommand)
    {
        ArgumentNullException.ThrowIfNull(managed);
        var start = -1;
        var seenSubcommand = false;
        for (var i = 0; i < managed.Count; i++)
        {
            if (!seenSubcommand)
            {
                seenSubcommand = managed[i] == subcommand;
                continue;
            }

            if (managed[i] == Separator)
            {
                start = i + 1;
                break;
            }
        }

        if (start < 0)
        {
            return null;
        }

        var raw = SplitNul(cmdline);
        var aligned = raw.Count >= managed.Count && TailMatches(raw, managed);
        var command = new byte[managed.Count - start][];
        for (var i = start; i < managed.Count; i++)
        {
            command[i - start] = aligned ? raw[raw.Count - managed.Count + i] : Encoding.UTF8.GetBytes(managed[i]);
        }

        return command;
    }

    /// <summary>Reads <c>/proc/self/cmdline</c>; empty when it cannot be read.</summary>
    public static byte[] ReadOwnCmdline()
    {
        try
        {
            return File.ReadAllBytes("/proc/self/cmdline");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static List<byte[]> SplitNul(ReadOnlySpan<byte> cmdline)
    {
        var parts = new List<byte[]>();
        while (!cmdline.IsEmpty)
        {
            var end = cmdline.IndexOf((byte)0);
            if (end < 0)
            {
                parts.Add(cmdline.ToArray());
                break;
            }

            parts.Add(cmdline[..end].ToArray());
            cmdline = cmdline[(end + 1)..];
        }

        return parts;
    }

    /// <summary>True when every managed argument is the lossy decoding of the raw argument in the same position from the end.</summary>
    private static bool TailMatches(List<byte[]> raw, IReadOnlyList<string> managed)
    {
        var offset = raw.Count - managed.Count;
        for (var i = 0; i < managed.Count; i++)
        {
            if (!string.Equals(Encoding.UTF8.GetString(raw[offset + i]), managed[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
