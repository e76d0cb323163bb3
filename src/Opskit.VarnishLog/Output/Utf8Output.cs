using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Output;

/// <summary>A pooled byte buffer in front of a stream: entries are formatted as UTF-8 bytes, never as strings.</summary>
internal sealed class Utf8Output : IDisposable
{
    // Flushed after each input read (1 MiB) anyway; big enough that a read's output is one write.
    private const int Capacity = 256 * 1024;
    private readonly Stream _stream;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Capacity);
    private int _used;

    public Utf8Output(Stream stream) => _stream = stream;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (_used + bytes.Length > _buffer.Length)
        {
            FlushBuffer();
            if (bytes.Length > _buffer.Length)
            {
                _stream.Write(bytes);
                return;
            }
        }

        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(byte b)
    {
        if (_used == _buffer.Length)
        {
            FlushBuffer();
        }

        _buffer[_used++] = b;
    }

    public void Write(string text) => Write(Encoding.UTF8.GetBytes(text));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Spaces(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Write((byte)' ');
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(long value)
    {
        Span<byte> digits = stackalloc byte[24];
        Utf8Formatter.TryFormat(value, digits, out var written);
        Write(digits[..written]);
    }

    /// <summary>Writes the buffered bytes to the stream and flushes it.</summary>
    public void Flush()
    {
        FlushBuffer();
        _stream.Flush();
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void FlushBuffer()
    {
        if (_used > 0)
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
        }
    }
}
