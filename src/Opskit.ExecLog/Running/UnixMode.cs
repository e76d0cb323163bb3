namespace Opskit.ExecLog.Running;

/// <summary>File permission bits, for "is it executable".</summary>
internal static class UnixMode
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The mode of <paramref name="path"/>; none on Windows, where the wrapper does not run.</summary>
    public static UnixFileMode Of(string path) => OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(path);

    /// <summary>True when any execute bit is set.</summary>
    public static bool IsExecutable(string path) => (Of(path) & AnyExecute) != 0;
}
