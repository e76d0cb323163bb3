using System.Text;

namespace Opskit.ExecLog.Running;

/// <summary>Which file a command name ran, for the record: PATH searched as posix_spawnp searches it.</summary>
internal static class CommandPath
{
    /// <summary>glibc's default search path when PATH is unset.</summary>
    private const string DefaultSearchPath = "/bin:/usr/bin";

    /// <summary>The executed file's path, or null when the name is not found.</summary>
    public static string? Resolve(ReadOnlySpan<byte> argv0)
    {
        if (argv0.IsEmpty)
        {
            return null;
        }

        var name = Encoding.UTF8.GetString(argv0);
        if (argv0.IndexOf((byte)'/') >= 0)
        {
            return name;
        }

        var search = Environment.GetEnvironmentVariable("PATH") ?? DefaultSearchPath;
        foreach (var directory in search.Split(':'))
        {
            var candidate = Path.Combine(directory.Length == 0 ? "." : directory, name);
            try
            {
                if (File.Exists(candidate) && (UnixMode.Of(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                {
                    return candidate;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Unreadable directory: posix_spawnp skips it too.
            }
        }

        return null;
    }
}
