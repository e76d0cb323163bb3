using System.Text;
using Opskit.ExecLog.Records;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Sinks;

/// <summary>
/// A JSON-lines file. Each record is one write(2) of the whole line on a descriptor opened with O_APPEND:
/// the kernel moves to the end and writes under the inode lock, so concurrent wrappers never interleave
/// (.NET's FileMode.Append seeks once at open instead, which would let two runs overwrite each other).
/// O_NONBLOCK makes a FIFO without a reader fail at once instead of blocking the wrapper.
/// </summary>
/// <param name="Path">The file; created with mode 0640 (before umask) when missing.</param>
internal sealed unsafe record JsonFileSink(string Path) : IRecordSink
{
    /// <inheritdoc />
    public string Name => "file";

    /// <inheritdoc />
    public string? TryWrite(ExecRecord record)
    {
        var line = RecordJson.Utf8Line(record);
        var pathBytes = Encoding.UTF8.GetBytes(Path + "\0");
        int fd;
        fixed (byte* path = pathBytes)
        {
            fd = Native.Open(path, Native.OWronly | Native.OAppend | Native.OCreat | Native.OCloexec | Native.ONonblock, Convert.ToInt32("640", 8));
        }

        if (fd < 0)
        {
            return Native.Describe(Native.Errno);
        }

        try
        {
            fixed (byte* data = line)
            {
                nint written;
                do
                {
                    written = Native.Write(fd, data, line.Length);
                }
                while (written < 0 && Native.Errno == Native.EINTR);
                if (written < 0)
                {
                    return Native.Describe(Native.Errno);
                }

                if (written < line.Length)
                {
                    // Disk full part-way: end the broken line so the next record starts on a line of its own.
                    var newline = (byte)'\n';
                    _ = Native.Write(fd, &newline, 1);
                    return "short write (disk full?)";
                }
            }

            return null;
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }
}
