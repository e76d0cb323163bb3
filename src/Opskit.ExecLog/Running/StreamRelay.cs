using System.Buffers;

namespace Opskit.ExecLog.Running;

/// <summary>
/// Copies the child's standard output and error from their pipes to the wrapper's fd 1 and 2, byte for byte,
/// counting bytes and keeping the first line of standard output. One thread, one poll loop over both pipes
/// and a wake-up pipe that says the child has exited; after that it drains until end of file or until no
/// byte has come for the drain timeout. When the wrapper's own output is gone (EPIPE) the pipe's read end
/// is closed, so the child gets SIGPIPE on its next write just as it would without the wrapper.
/// </summary>
internal sealed unsafe class StreamRelay
{
    private const int BufferSize = 64 * 1024;

    private readonly int _firstLineMax;
    private readonly byte[] _firstLine;
    private int _firstLineLength;
    private bool _firstLineDone;

    public StreamRelay(int firstLineMax)
    {
        _firstLineMax = firstLineMax;
        _firstLine = new byte[firstLineMax];
    }

    /// <summary>Bytes read from the standard output pipe.</summary>
    public long StdoutBytes { get; private set; }

    /// <summary>Bytes read from the standard error pipe.</summary>
    public long StderrBytes { get; private set; }

    /// <summary>True when the first line did not fit.</summary>
    public bool FirstLineTruncated { get; private set; }

    /// <summary>True when the relay gave up on a pipe that was still open after the drain timeout.</summary>
    public bool CutOff { get; private set; }

    /// <summary>The first line of standard output, without "\n" or "\r\n".</summary>
    public byte[] FirstLine()
    {
        var length = _firstLineLength;
        if (!FirstLineTruncated && length > 0 && _firstLine[length - 1] == (byte)'\r')
        {
            length--;
        }

        return _firstLine.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// Relays until both pipes (those that are not -1) reach end of file, or the child has exited
    /// (<paramref name="exitedFd"/> readable) and they stay silent for <paramref name="drainTimeout"/>.
    /// Closes both pipe read ends. Returns true when the exit was seen.
    /// </summary>
    public bool Run(int stdoutPipe, int stderrPipe, int exitedFd, TimeSpan drainTimeout)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var exited = false;
        var fds = stackalloc Native.PollFd[3];
        try
        {
            while (stdoutPipe >= 0 || stderrPipe >= 0)
            {
                var count = 0;
                int outSlot = -1, errSlot = -1, exitSlot = -1;
                if (stdoutPipe >= 0)
                {
                    outSlot = count;
                    fds[count++] = new Native.PollFd { Fd = stdoutPipe, Events = Native.PollIn };
                }

                if (stderrPipe >= 0)
                {
                    errSlot = count;
                    fds[count++] = new Native.PollFd { Fd = stderrPipe, Events = Native.PollIn };
                }

                if (!exited)
                {
                    exitSlot = count;
                    fds[count++] = new Native.PollFd { Fd = exitedFd, Events = Native.PollIn };
                }

                var ready = Native.Poll(fds, (nuint)count, exited ? (int)drainTimeout.TotalMilliseconds : -1);
                if (ready < 0)
                {
                    if (Native.Errno == Native.EINTR)
                    {
                        continue;
                    }

                    break;
                }

                if (ready == 0)
                {
                    CutOff = true;
                    break;
                }

                if (outSlot >= 0 && fds[outSlot].Revents != 0)
                {
                    Pump(ref stdoutPipe, 1, buffer, isStdout: true);
                }

                if (errSlot >= 0 && fds[errSlot].Revents != 0)
                {
                    Pump(ref stderrPipe, 2, buffer, isStdout: false);
                }

                if (exitSlot >= 0 && fds[exitSlot].Revents != 0)
                {
                    exited = true;
                }
            }
        }
        finally
        {
            Native.CloseIfOpen(ref stdoutPipe);
            Native.CloseIfOpen(ref stderrPipe);
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return exited;
    }

    /// <summary>One read from <paramref name="pipe"/> and a complete write of it to <paramref name="target"/>.</summary>
    private void Pump(ref int pipe, int target, byte[] buffer, bool isStdout)
    {
        nint read;
        fixed (byte* data = buffer)
        {
            read = Native.Read(pipe, data, buffer.Length);
        }

        if (read < 0)
        {
            var errno = Native.Errno;
            if (errno is not (Native.EINTR or Native.EAGAIN))
            {
                Native.CloseIfOpen(ref pipe);
            }

            return;
        }

        if (read == 0)
        {
            Native.CloseIfOpen(ref pipe);
            return;
        }

        var chunk = buffer.AsSpan(0, (int)read);
        if (isStdout)
        {
            StdoutBytes += read;
            KeepFirstLine(chunk);
        }
        else
        {
            StderrBytes += read;
        }

        if (!WriteAll(target, chunk))
        {
            // Nobody reads the wrapper's output any more: let the child find out on its next write.
            Native.CloseIfOpen(ref pipe);
        }
    }

    private void KeepFirstLine(ReadOnlySpan<byte> chunk)
    {
        if (_firstLineDone)
        {
            return;
        }

        var end = chunk.IndexOf((byte)'\n');
        var take = end >= 0 ? end : chunk.Length;
        var room = _firstLineMax - _firstLineLength;
        if (take > room)
        {
            take = room;
            FirstLineTruncated = true;
            _firstLineDone = true;
        }

        chunk[..take].CopyTo(_firstLine.AsSpan(_firstLineLength));
        _firstLineLength += take;
        if (end >= 0)
        {
            _firstLineDone = true;
        }
    }

    /// <summary>Writes all of <paramref name="data"/> (waiting out a non-blocking descriptor's EAGAIN); false on EPIPE or another error.</summary>
    private static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            var offset = 0;
            while (offset < data.Length)
            {
                var written = Native.Write(fd, start + offset, data.Length - offset);
                if (written >= 0)
                {
                    offset += (int)written;
                    continue;
                }

                var errno = Native.Errno;
                if (errno == Native.EINTR)
                {
                    continue;
                }

                if (errno == Native.EAGAIN)
                {
                    var wait = new Native.PollFd { Fd = fd, Events = Native.PollOut };
                    _ = Native.Poll(&wait, 1, 1000);
                    continue;
                }

                return false;
            }
        }

        return true;
    }
}
