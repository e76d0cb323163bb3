using System.Runtime.InteropServices;

namespace Opskit;

/// <summary>
/// Ctrl-C and SIGTERM for the whole process, registered before anything starts: the first one cancels the
/// running command's token, so services stop and flush what they hold; a second one ends the process at
/// once (the signal's default action); and a command that has not finished <see cref="_grace"/> after the
/// first one is abandoned with the conventional exit code (130 or 143).
/// </summary>
/// <remarks>
/// System.CommandLine has the same handling, but registers it only once the command's action has returned
/// its task, that is after the action's first asynchronous wait. A service whose start-up completes
/// synchronously is then already serving, and a SIGTERM in that window killed it without a flush.
/// </remarks>
internal sealed class StopSignals : IDisposable
{
    private const int InterruptExitCode = 130;
    private const int TerminateExitCode = 143;

    private readonly TimeSpan _grace;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<int> _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    /// <summary>Registers the handlers; <paramref name="grace"/> is how long a stopping command may take.</summary>
    public StopSignals(TimeSpan grace)
    {
        _grace = grace;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>Runs <paramref name="command"/> with the stop token; its exit code, or 130/143 if it outlives the grace period.</summary>
    public async Task<int> RunAsync(Func<CancellationToken, Task<int>> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var running = command(_stop.Token);
        var finished = await Task.WhenAny(running, _abandoned.Task).ConfigureAwait(false);
        return await finished.ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _received) > 1)
        {
            // Asked twice: the operator does not want to wait for the flush.
            return;
        }

        context.Cancel = true;
        var exitCode = context.Signal == PosixSignal.SIGINT ? InterruptExitCode : TerminateExitCode;
        _stop.Cancel();
        _ = Task.Delay(_grace).ContinueWith(_ => _abandoned.TrySetResult(exitCode), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
