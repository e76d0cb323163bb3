using System.Buffers.Text;
using System.Text;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Sinks;

/// <summary>
/// How many records no destination took, kept between runs in a small file (flock-protected, so concurrent
/// wrappers neither lose nor double-count) and reported in the next record that gets through. The file is
/// opened with O_NOFOLLOW, since its default lives in /tmp when there is no XDG_RUNTIME_DIR (where Linux's
/// protected_regular also refuses to open another user's file of that name).
/// </summary>
/// <param name="Path">The counter file.</param>
internal sealed unsafe class DropCounter(string Path)
{
    private const int SeekSet = 0;

    /// <summary>The counter file.</summary>
    public string Path { get; } = Path;

    /// <summary>$XDG_RUNTIME_DIR/opskit-execlog.dropped, or /tmp/opskit-execlog.UID.dropped.</summary>
    public static string DefaultPath(uint uid)
    {
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(runtime)
            ? $"/tmp/opskit-execlog.{uid}.dropped"
            : System.IO.Path.Combine(runtime, "opskit-execlog.dropped");
    }

    /// <summary>The current count; 0 when the file does not exist (the common case costs one failed open).</summary>
    public long Read() => Update(0, create: false);

    /// <summary>Adds <paramref name="delta"/> (negative after a report) and returns the count before.</summary>
    public long Add(long delta) => Update(delta, create: delta > 0);

    private long Update(long delta, bool create)
    {
        var pathBytes = Encoding.UTF8.GetBytes(Path + "\0");
        int fd;
        fixed (byte* path = pathBytes)
        {
            fd = Native.Open(path, Native.ORdwr | Native.OCloexec | Native.ONofollow | (create ? Native.OCreat : 0), Convert.ToInt32("600", 8));
        }

        if (fd < 0)
        {
            return 0;
        }

        try
        {
            _ = Native.Flock(fd, Native.LockEx);
            var buffer = stackalloc byte[32];
            var length = (int)Native.Read(fd, buffer, 32);
            long current = 0;
            if (length > 0)
            {
                _ = Utf8Parser.TryParse(new ReadOnlySpan<byte>(buffer, length), out current, out _);
            }

            if (delta != 0)
            {
                var next = Math.Max(0, current + delta);
                Span<byte> text = stackalloc byte[24];
                _ = Utf8Formatter.TryFormat(next, text, out var written);
                _ = Native.LSeek(fd, 0, SeekSet);
                _ = Native.FTruncate(fd, 0);
                fixed (byte* data = text)
                {
                    _ = Native.Write(fd, data, written);
                }
            }

            return current;
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }
}
