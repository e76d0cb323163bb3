namespace Opskit.ExecLog.Running;

/// <summary>How a command is run.</summary>
/// <param name="Capture">Whether standard output and error are relayed (and counted) or inherited.</param>
/// <param name="DrainTimeout">After the child exits, how long the relay waits for more output before it stops
/// (a background grandchild may hold the pipes open for ever).</param>
/// <param name="FirstLineMax">Most bytes of the first line of standard output kept for the record.</param>
internal sealed record RunSettings(CaptureMode Capture, TimeSpan DrainTimeout, int FirstLineMax)
{
    /// <summary>Relay unless a terminal, 1 s drain after exit, 1 KiB first line.</summary>
    public static RunSettings Default { get; } = new(CaptureMode.Auto, TimeSpan.FromSeconds(1), 1024);
}
