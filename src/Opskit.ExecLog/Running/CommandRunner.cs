using System.Diagnostics;

namespace Opskit.ExecLog.Running;

/// <summary>
/// Runs one command to completion: pipes when output is relayed, spawn, signal forwarding, relay, wait.
/// Nothing here allocates per byte of output; the per-run work before the spawn is a few system calls.
/// </summary>
internal static unsafe class CommandRunner
{
    /// <summary>Exit code when the command is not found (the shell's convention).</summary>
    public const int NotFoundExitCode = 127;

    /// <summary>Exit code when the command exists but cannot be executed.</summary>
    public const int NotExecutableExitCode = 126;

    /// <summary>Exit code when the wrapper itself fails before the command starts (as env, nice and timeout do).</summary>
    public const int WrapperFailureExitCode = 125;

    /// <summary>Runs <paramref name="argv"/> and reports what happened.</summary>
    public static RunOutcome Run(byte[][] argv, RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(settings);
        using var forwarder = new SignalForwarder();
        var captureOut = ShouldCapture(settings.Capture, 1);
        var captureErr = ShouldCapture(settings.Capture, 2);
        int outRead = -1, outWrite = -1, errRead = -1, errWrite = -1;
        var fds = stackalloc int[2];
        try
        {
            if (captureOut)
            {
                if (Native.Pipe2(fds, Native.OCloexec) < 0)
                {
                    captureOut = false;
                }
                else
                {
                    (outRead, outWrite) = (fds[0], fds[1]);
                }
            }

            if (captureErr)
            {
                if (Native.Pipe2(fds, Native.OCloexec) < 0)
                {
                    captureErr = false;
                }
                else
                {
                    (errRead, errWrite) = (fds[0], fds[1]);
                }
            }

            var started = DateTimeOffset.UtcNow;
            var clock = Stopwatch.GetTimestamp();
            var error = ChildSpawner.Spawn(argv, outWrite, errWrite, out var pid);
            Native.CloseIfOpen(ref outWrite);
            Native.CloseIfOpen(ref errWrite);
            if (error != 0)
            {
                Native.CloseIfOpen(ref outRead);
                Native.CloseIfOpen(ref errRead);
                return new RunOutcome
                {
                    Started = started,
                    SpawnErrno = error,
                    WrapperExitCode = error == Native.ENOENT ? NotFoundExitCode : NotExecutableExitCode,
                    Wall = Stopwatch.GetElapsedTime(clock),
                    StdoutBytes = captureOut ? 0 : null,
                    StderrBytes = captureErr ? 0 : null,
                    FirstLine = captureOut ? [] : null,
                };
            }

            forwarder.Attach(pid);
            StreamRelay? relay = null;
            (int Status, TimeSpan User, TimeSpan System) waited;
            if (captureOut || captureErr)
            {
                relay = new StreamRelay(settings.FirstLineMax);
                waited = RelayAndWait(relay, pid, outRead, errRead, forwarder, settings.DrainTimeout);
                outRead = errRead = -1;
            }
            else
            {
                waited = ChildWait.WaitFor(pid, forwarder);
            }

            var wall = Stopwatch.GetElapsedTime(clock);
            var status = waited.Status;
            var termSignal = status & 0x7f;
            int? exitCode = termSignal == 0 ? (status >> 8) & 0xff : null;
            int? signal = termSignal == 0 ? null : termSignal;
            return new RunOutcome
            {
                Started = started,
                Pid = pid,
                ExitCode = exitCode,
                Signal = signal,
                CoreDumped = signal is not null && (status & 0x80) != 0,
                WrapperExitCode = exitCode ?? (128 + termSignal),
                Wall = wall,
                UserCpu = waited.User,
                SystemCpu = waited.System,
                StdoutBytes = captureOut ? relay!.StdoutBytes : null,
                StderrBytes = captureErr ? relay!.StderrBytes : null,
                FirstLine = captureOut ? relay!.FirstLine() : null,
                FirstLineTruncated = captureOut && relay!.FirstLineTruncated,
                OutputCutOff = relay?.CutOff ?? false,
                ForwardedSignals = forwarder.Sent,
            };
        }
        finally
        {
            Native.CloseIfOpen(ref outRead);
            Native.CloseIfOpen(ref errRead);
            Native.CloseIfOpen(ref outWrite);
            Native.CloseIfOpen(ref errWrite);
        }
    }

    /// <summary>
    /// Relays on this thread until the child has exited and its output is drained, then reaps it. The exit is
    /// seen through a pidfd in the same poll as the pipes; on kernels without pidfd_open (before 5.3) a second
    /// thread waits for the child and wakes the relay through a pipe.
    /// </summary>
    private static (int Status, TimeSpan User, TimeSpan System) RelayAndWait(
        StreamRelay relay, int pid, int outRead, int errRead, SignalForwarder forwarder, TimeSpan drainTimeout)
    {
        var pidfd = Native.Syscall(Native.SysPidfdOpen, pid, 0);
        if (pidfd >= 0)
        {
            try
            {
                relay.Run(outRead, errRead, pidfd, drainTimeout);
                return ChildWait.WaitFor(pid, forwarder);
            }
            finally
            {
                Native.CloseIfOpen(ref pidfd);
            }
        }

        var wake = stackalloc int[2];
        if (Native.Pipe2(wake, Native.OCloexec) < 0)
        {
            // No wake-up pipe: relay to end of file, then wait (a descendant holding the pipe delays the record).
            relay.Run(outRead, errRead, -1, drainTimeout);
            return ChildWait.WaitFor(pid, forwarder);
        }

        int wakeRead = wake[0], wakeWrite = wake[1];
        (int, TimeSpan, TimeSpan) result = default;
        var waiter = new Thread(() =>
        {
            result = ChildWait.WaitFor(pid, forwarder);
            byte one = 1;
            _ = Native.Write(wakeWrite, &one, 1);
        })
        {
            IsBackground = true,
            Name = "execlog wait",
        };
        try
        {
            waiter.Start();
            relay.Run(outRead, errRead, wakeRead, drainTimeout);
            waiter.Join();
            return result;
        }
        finally
        {
            Native.CloseIfOpen(ref wakeRead);
            Native.CloseIfOpen(ref wakeWrite);
        }
    }

    private static bool ShouldCapture(CaptureMode mode, int fd) => mode switch
    {
        CaptureMode.Always => true,
        CaptureMode.Never => false,
        _ => Native.IsATty(fd) != 1,
    };
}
