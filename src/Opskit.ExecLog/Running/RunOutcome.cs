namespace Opskit.ExecLog.Running;

/// <summary>What happened to one run of the command.</summary>
internal sealed class RunOutcome
{
    /// <summary>When the wrapper started the child (UTC).</summary>
    public DateTimeOffset Started { get; init; }

    /// <summary>The child's process id; 0 when it could not be started.</summary>
    public int Pid { get; init; }

    /// <summary>errno of a failed start (ENOENT, EACCES…); 0 when the child started.</summary>
    public int SpawnErrno { get; init; }

    /// <summary>The child's exit code when it exited normally.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The signal that killed the child, when one did.</summary>
    public int? Signal { get; init; }

    /// <summary>True when the child dumped core.</summary>
    public bool CoreDumped { get; init; }

    /// <summary>The wrapper's own exit code: the child's code, 128 + signal, 127 not found, 126 not executable.</summary>
    public int WrapperExitCode { get; init; }

    /// <summary>Wall time from start to reaping the child.</summary>
    public TimeSpan Wall { get; init; }

    /// <summary>The child's user CPU time (its waited-for descendants included, as wait4 reports).</summary>
    public TimeSpan UserCpu { get; init; }

    /// <summary>The child's system CPU time.</summary>
    public TimeSpan SystemCpu { get; init; }

    /// <summary>Bytes the child wrote to standard output; null when not relayed.</summary>
    public long? StdoutBytes { get; init; }

    /// <summary>Bytes the child wrote to standard error; null when not relayed.</summary>
    public long? StderrBytes { get; init; }

    /// <summary>The first line of standard output without its line end (at most the configured bytes); null when not relayed.</summary>
    public byte[]? FirstLine { get; init; }

    /// <summary>True when the first line was longer than what was kept.</summary>
    public bool FirstLineTruncated { get; init; }

    /// <summary>True when the relay stopped before end of file (a descendant kept the pipe open past the drain timeout).</summary>
    public bool OutputCutOff { get; init; }

    /// <summary>Signals the wrapper forwarded to the child, in order.</summary>
    public IReadOnlyList<int> ForwardedSignals { get; init; } = [];
}
