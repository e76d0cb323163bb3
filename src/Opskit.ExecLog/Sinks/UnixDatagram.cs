using System.Text;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Sinks;

/// <summary>
/// Sends one datagram to a Unix socket path without waiting: MSG_DONTWAIT turns a full receive queue (a
/// stalled syslog daemon) into EAGAIN instead of a blocked wrapper. Native calls keep System.Net out of
/// the wrapper's start-up.
/// </summary>
internal static unsafe class UnixDatagram
{
    private const int SunPathLength = 108;

    /// <summary>Sends <paramref name="datagram"/> to <paramref name="path"/>; null on success, else the error.</summary>
    public static string? Send(string path, ReadOnlySpan<byte> datagram)
    {
        ArgumentNullException.ThrowIfNull(path);
        var pathBytes = Encoding.UTF8.GetBytes(path);
        if (pathBytes.Length >= SunPathLength)
        {
            return $"socket path longer than {SunPathLength - 1} bytes";
        }

        var address = stackalloc byte[2 + SunPathLength];
        new Span<byte>(address, 2 + SunPathLength).Clear();
        *(ushort*)address = Native.AfUnix;
        pathBytes.CopyTo(new Span<byte>(address + 2, SunPathLength));
        var fd = Native.Socket(Native.AfUnix, Native.SockDgram | Native.SockCloexec, 0);
        if (fd < 0)
        {
            return Native.Describe(Native.Errno);
        }

        try
        {
            fixed (byte* data = datagram)
            {
                nint sent;
                do
                {
                    sent = Native.SendTo(fd, data, datagram.Length, Native.MsgDontwait | Native.MsgNosignal, address, 2 + pathBytes.Length + 1);
                }
                while (sent < 0 && Native.Errno == Native.EINTR);
                if (sent < 0)
                {
                    var errno = Native.Errno;
                    return errno == Native.EAGAIN ? "receiver's queue is full" : Native.Describe(errno);
                }

                return sent == datagram.Length ? null : "datagram cut short";
            }
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }
}
