namespace Opskit.ExecLog.Running;

/// <summary>Whether the child's standard output and error go through the wrapper (to be counted) or straight to the wrapper's own descriptors.</summary>
public enum CaptureMode
{
    /// <summary>Through a pipe unless the descriptor is a terminal (interactive use keeps its terminal, colours and line buffering).</summary>
    Auto,

    /// <summary>Always through a pipe, so bytes and the first line are always recorded.</summary>
    Always,

    /// <summary>Never: the child writes to the wrapper's descriptors directly; bytes and the first line are not recorded.</summary>
    Never,
}
