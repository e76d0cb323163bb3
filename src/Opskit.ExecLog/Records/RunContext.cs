using System.Runtime.InteropServices;
using System.Text;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Records;

/// <summary>Who ran the command, from where: gathered after the child has exited, so it never delays the start.</summary>
/// <param name="Host">The full host name (gethostname, not cut at the first dot).</param>
/// <param name="User">The login name of <paramref name="Uid"/>, or null when it has none.</param>
/// <param name="Uid">The real user id.</param>
/// <param name="ParentPid">The wrapper's parent (NRPE, cron, a shell…).</param>
/// <param name="ParentName">The parent's command name from /proc (comm), or null when gone.</param>
/// <param name="WrapperPid">The wrapper's own pid.</param>
/// <param name="WorkingDirectory">The working directory the command inherited, or null when unreadable.</param>
internal sealed record RunContext(string Host, string? User, uint Uid, int ParentPid, string? ParentName, int WrapperPid, string? WorkingDirectory)
{
    /// <summary>Reads the context of the current process.</summary>
    public static unsafe RunContext Current()
    {
        var host = stackalloc byte[256];
        var hostName = Native.GetHostName(host, 255) == 0 ? Marshal.PtrToStringUTF8((nint)host) ?? "-" : "-";
        var uid = Native.GetUid();
        var entry = Native.GetPwUid(uid);
        var user = entry is null || entry[0] is null ? null : Marshal.PtrToStringUTF8((nint)entry[0]);
        var parent = Native.GetPpid();
        string? cwd;
        try
        {
            cwd = Environment.CurrentDirectory;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            cwd = null;
        }

        return new RunContext(hostName, user, uid, parent, ProcessName(parent), Native.GetPid(), cwd);
    }

    private static string? ProcessName(int pid)
    {
        try
        {
            var comm = File.ReadAllBytes($"/proc/{pid}/comm");
            var length = comm.AsSpan().IndexOf((byte)'\n');
            return Encoding.UTF8.GetString(comm, 0, length < 0 ? comm.Length : length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
