using System.Runtime.InteropServices;

namespace Opskit.ExecLog.Running;

/// <summary>
/// Starts the command with posix_spawnp: argv bytes exactly as given, the wrapper's own environment block,
/// standard input inherited, standard output and error either inherited or replaced by pipe ends, and
/// SIGPIPE back to its default action (the .NET runtime ignores it, and ignored signals survive exec).
/// </summary>
internal static unsafe class ChildSpawner
{
    /// <summary>Starts <paramref name="argv"/>; returns 0 and the pid, or the errno of the failure.</summary>
    /// <param name="argv">The command and its arguments; argv[0] is searched in PATH when it has no slash.</param>
    /// <param name="stdoutFd">The descriptor that becomes the child's fd 1, or -1 to inherit.</param>
    /// <param name="stderrFd">The descriptor that becomes the child's fd 2, or -1 to inherit.</param>
    /// <param name="pid">The child's pid on success.</param>
    public static int Spawn(byte[][] argv, int stdoutFd, int stderrFd, out int pid)
    {
        ArgumentNullException.ThrowIfNull(argv);
        pid = 0;
        if (argv.Length == 0 || argv[0].Length == 0)
        {
            return Native.ENOENT;
        }

        nuint total = 0;
        foreach (var argument in argv)
        {
            total += (nuint)argument.Length + 1;
        }

        var strings = (byte*)NativeMemory.Alloc(total);
        var pointers = (byte**)NativeMemory.Alloc((nuint)(argv.Length + 1), (nuint)sizeof(byte*));
        var actions = NativeMemory.AllocZeroed(Native.OpaqueSize);
        var attributes = NativeMemory.AllocZeroed(Native.OpaqueSize);
        var signals = NativeMemory.AllocZeroed(Native.OpaqueSize);
        try
        {
            var cursor = strings;
            for (var i = 0; i < argv.Length; i++)
            {
                pointers[i] = cursor;
                argv[i].AsSpan().CopyTo(new Span<byte>(cursor, argv[i].Length));
                cursor[argv[i].Length] = 0;
                cursor += argv[i].Length + 1;
            }

            pointers[argv.Length] = null;
            _ = Native.FileActionsInit(actions);
            _ = Native.SpawnAttrInit(attributes);
            try
            {
                if (stdoutFd >= 0)
                {
                    _ = Native.FileActionsAddDup2(actions, stdoutFd, 1);
                }

                if (stderrFd >= 0)
                {
                    _ = Native.FileActionsAddDup2(actions, stderrFd, 2);
                }

                _ = Native.SigEmptySet(signals);
                _ = Native.SigAddSet(signals, Native.SigPipe);
                _ = Native.SpawnAttrSetSigDefault(attributes, signals);
                _ = Native.SpawnAttrSetFlags(attributes, Native.PosixSpawnSetSigdef);
                return Native.PosixSpawnp(out pid, pointers[0], actions, attributes, pointers, Native.Environ());
            }
            finally
            {
                _ = Native.FileActionsDestroy(actions);
                _ = Native.SpawnAttrDestroy(attributes);
            }
        }
        finally
        {
            NativeMemory.Free(signals);
            NativeMemory.Free(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(pointers);
            NativeMemory.Free(strings);
        }
    }
}
