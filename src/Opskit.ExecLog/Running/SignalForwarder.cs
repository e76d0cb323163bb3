using System.Runtime.InteropServices;

namespace Opskit.ExecLog.Running;

/// <summary>
/// Forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to the child and keeps the wrapper alive
/// until the child has gone, so the record is written and the exit code is the child's. A signal that
/// arrives before the child exists is delivered as soon as it does; none is sent once the child has been
/// reaped, so a recycled pid is never hit.
/// </summary>
internal sealed class SignalForwarder : IDisposable
{
    private const int SigInt = 2;
    private const int SigQuit = 3;

    private static readonly PosixSignal[] Forwarded =
    [
        PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT,
        (PosixSignal)10, // SIGUSR1 (Linux numbering)
        (PosixSignal)12, // SIGUSR2
    ];

    private readonly Lock _gate = new();
    private readonly List<int> _sent = [];
    private readonly List<int> _pending = [];
    private readonly PosixSignalRegistration[] _registrations;
    private readonly bool _terminalForeground;
    private int _pid;
    private bool _gone;

    public SignalForwarder()
    {
        // Ctrl-C and Ctrl-\ on a terminal reach the whole foreground process group, the child included;
        // forwarding them too would deliver them twice (sudo makes the same distinction).
        _terminalForeground = Native.IsATty(0) == 1 && Native.TcGetPgrp(0) == Native.GetPgrp();
        _registrations = new PosixSignalRegistration[Forwarded.Length];
        for (var i = 0; i < Forwarded.Length; i++)
        {
            _registrations[i] = PosixSignalRegistration.Create(Forwarded[i], OnSignal);
        }
    }

    /// <summary>Signals forwarded so far.</summary>
    public IReadOnlyList<int> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    /// <summary>The child now exists: deliver what arrived before it did.</summary>
    public void Attach(int pid)
    {
        lock (_gate)
        {
            _pid = pid;
            foreach (var signal in _pending)
            {
                Send(signal);
            }

            _pending.Clear();
        }
    }

    /// <summary>The child has exited and is about to be reaped: forward nothing more.</summary>
    public void MarkGone()
    {
        lock (_gate)
        {
            _gone = true;
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The wrapper never dies of a forwarded signal: it waits for the child and reports what happened.
        context.Cancel = true;
        var signal = SignalNames.Number(context.Signal);

        if (signal == 0 || (_terminalForeground && signal is SigInt or SigQuit))
        {
            return;
        }

        lock (_gate)
        {
            if (_gone)
            {
                return;
            }

            if (_pid == 0)
            {
                _pending.Add(signal);
                return;
            }

            Send(signal);
        }
    }

    private void Send(int signal)
    {
        if (Native.Kill(_pid, signal) == 0)
        {
            _sent.Add(signal);
        }
    }
}
