using System.Runtime.InteropServices;

namespace Opskit.Statsd.Input;

/// <summary>The Linux socket calls .NET does not expose: <c>recvmmsg</c> for batch receive.</summary>
internal static unsafe partial class LinuxSocket
{
    public const int SolSocket = 1;
    public const int SoReusePort = 15;
    public const int SoRcvBufForce = 33;
    public const int MsgWaitForOne = 0x10000;
    public const int EAgain = 11;
    public const int EIntr = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMMsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);
}
