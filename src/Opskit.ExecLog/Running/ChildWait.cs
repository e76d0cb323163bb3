using System.Runtime.InteropServices;

namespace Opskit.ExecLog.Running;

/// <summary>Waits for the child in two steps (wait without reaping, stop forwarding signals, reap with wait4) so a signal never reaches a recycled pid.</summary>
internal static unsafe class ChildWait
{
    /// <summary>Blocks until <paramref name="pid"/> exits; returns its wait status and CPU times.</summary>
    public static (int Status, TimeSpan User, TimeSpan System) WaitFor(int pid, SignalForwarder forwarder)
    {
        var info = NativeMemory.AllocZeroed(Native.OpaqueSize);
        var usage = NativeMemory.AllocZeroed(Native.OpaqueSize);
        try
        {
            while (Native.WaitId(Native.PPid, pid, info, Native.WExited | Native.WNowait) < 0 && Native.Errno == Native.EINTR)
            {
            }

            forwarder.MarkGone();
            int status;
            while (Native.Wait4(pid, out status, 0, usage) < 0 && Native.Errno == Native.EINTR)
            {
            }

            var head = (Native.RusageHead*)usage;
            return (status, ToTimeSpan(head->User), ToTimeSpan(head->System));
        }
        finally
        {
            NativeMemory.Free(usage);
            NativeMemory.Free(info);
        }
    }

    private static TimeSpan ToTimeSpan(Native.TimeVal value) =>
        TimeSpan.FromTicks((value.Seconds * TimeSpan.TicksPerSecond) + (value.Microseconds * TimeSpan.TicksPerMicrosecond));
}
