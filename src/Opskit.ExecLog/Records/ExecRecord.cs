using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Records;

/// <summary>The one record of one run: the command exactly as run, who ran it, and what came of it.</summary>
/// <param name="Argv">The command and its arguments as raw bytes.</param>
/// <param name="ResolvedPath">The file that was executed when found in PATH (or argv[0] when it has a slash); null when not found.</param>
/// <param name="Context">Host, user, parent, working directory.</param>
/// <param name="Outcome">Exit code or signal, times, bytes, first line.</param>
/// <param name="Tags">The <c>--tag KEY=VALUE</c> pairs, in order.</param>
/// <param name="DroppedBefore">Records of earlier runs that no destination took.</param>
internal sealed record ExecRecord(
    byte[][] Argv,
    string? ResolvedPath,
    RunContext Context,
    RunOutcome Outcome,
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    long DroppedBefore)
{
    /// <summary>"command not found", "permission denied"…; null when the command ran.</summary>
    public string? Error => Outcome.SpawnErrno switch
    {
        0 => null,
        Native.ENOENT => "command not found",
        Native.EACCES => "permission denied",
        Native.ENOEXEC => "exec format error",
        var errno => Native.Describe(errno),
    };

    /// <summary>"exited", "killed" or "not started".</summary>
    public string Result => Outcome.SpawnErrno != 0 ? "not-started" : Outcome.Signal is not null ? "killed" : "exited";
}
