using System.Runtime.InteropServices;

namespace Opskit.ExecLog.Running;

/// <summary>
/// The libc calls the wrapper needs and .NET does not expose with byte-exact arguments: posix_spawn with raw
/// argv bytes, pipes, poll, wait4 (for the child's CPU time), kill, and Unix datagram sockets without loading
/// System.Net. Linux, 64-bit glibc or musl; opaque structs get generous buffers instead of exact layouts.
/// </summary>
internal static unsafe partial class Native
{
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int EPIPE = 32;
    public const int ENOEXEC = 8;

    public const int OCloexec = 0x80000;
    public const int OWronly = 0x1;
    public const int ORdwr = 0x2;
    public const int OCreat = 0x40;
    public const int OAppend = 0x400;
    public const int ONonblock = 0x800;
    public const int ONofollow = 0x20000;

    public const short PollIn = 0x1;
    public const short PollOut = 0x4;
    public const short PollErr = 0x8;
    public const short PollHup = 0x10;
    public const short PollNval = 0x20;

    public const int SigPipe = 13;
    public const short PosixSpawnSetSigdef = 0x04;

    public const int AfUnix = 1;
    public const int SockDgram = 2;
    public const int SockCloexec = 0x80000;
    public const int MsgDontwait = 0x40;
    public const int MsgNosignal = 0x4000;

    public const int PPid = 1;
    public const int WExited = 4;
    public const int WNowait = 0x01000000;

    public const int LockEx = 2;
    public const int LockUn = 8;

    /// <summary>Bytes reserved for posix_spawn_file_actions_t / posix_spawnattr_t / sigset_t / siginfo_t (glibc: 80 / 336 / 128 / 128).</summary>
    public const int OpaqueSize = 1024;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    /// <summary>The start of struct rusage: user and system CPU time (the rest is left in a larger buffer).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RusageHead
    {
        public TimeVal User;
        public TimeVal System;
    }

    [LibraryImport("libc", EntryPoint = "posix_spawnp")]
    public static partial int PosixSpawnp(out int pid, byte* file, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(void* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    public static partial int SpawnAttrInit(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    public static partial int SpawnAttrSetFlags(void* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int SpawnAttrSetSigDefault(void* attributes, void* sigset);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    public static partial int SpawnAttrDestroy(void* attributes);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(void* set);

    [LibraryImport("libc", EntryPoint = "sigaddset")]
    public static partial int SigAddSet(void* set, int signal);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "waitid", SetLastError = true)]
    public static partial int WaitId(int idType, int id, void* info, int options);

    [LibraryImport("libc", EntryPoint = "wait4", SetLastError = true)]
    public static partial int Wait4(int pid, out int status, int options, void* rusage);

    /// <summary>pidfd_open(2) has the same number on x86-64 and arm64 (Linux 5.3+).</summary>
    public const long SysPidfdOpen = 434;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial int Syscall(long number, int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "isatty")]
    public static partial int IsATty(int fd);

    [LibraryImport("libc", EntryPoint = "tcgetpgrp")]
    public static partial int TcGetPgrp(int fd);

    [LibraryImport("libc", EntryPoint = "getpgrp")]
    public static partial int GetPgrp();

    [LibraryImport("libc", EntryPoint = "getppid")]
    public static partial int GetPpid();

    [LibraryImport("libc", EntryPoint = "getpid")]
    public static partial int GetPid();

    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "gethostname")]
    public static partial int GetHostName(byte* name, nint length);

    [LibraryImport("libc", EntryPoint = "getpwuid")]
    public static partial byte** GetPwUid(uint uid);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, byte* buffer, nint length, int flags, byte* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    public static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(int fd, long length);

    /// <summary>The process's own environment block, exactly as it was received (managed changes never reach it).</summary>
    public static byte** Environ()
    {
        var libc = NativeLibrary.Load("libc.so.6");
        return *(byte***)NativeLibrary.GetExport(libc, "environ");
    }

    /// <summary>errno of the last call made with SetLastError.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>The C library's text for an errno value (strerror).</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Closes <paramref name="fd"/> when it is open and marks it closed.</summary>
    public static void CloseIfOpen(ref int fd)
    {
        if (fd >= 0)
        {
            _ = Close(fd);
            fd = -1;
        }
    }
}
