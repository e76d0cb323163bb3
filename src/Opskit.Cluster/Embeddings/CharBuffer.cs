using System.Buffers;
using System.Text;

namespace Opskit.Cluster.Embeddings;

/// <summary>A growable char buffer over <see cref="ArrayPool{T}"/>; dispose to return the array.</summary>
internal struct CharBuffer : IDisposable
{
    private char[] _array;

    public CharBuffer(int capacity)
    {
        _array = ArrayPool<char>.Shared.Rent(Math.Max(capacity, 16));
        Length = 0;
    }

    public int Length { get; private set; }

    public readonly ReadOnlySpan<char> Span => _array.AsSpan(0, Length);

    /// <summary>Empties the buffer and keeps its array.</summary>
    public void Clear() => Length = 0;

    public void Append(char c)
    {
        if (Length == _array.Length)
        {
            Grow(1);
        }

        _array[Length++] = c;
    }

    public void Append(Rune rune)
    {
        if (Length + 2 > _array.Length)
        {
            Grow(2);
        }

        Length += rune.EncodeToUtf16(_array.AsSpan(Length));
    }

    public void Dispose()
    {
        var array = _array;
        _array = [];
        if (array.Length > 0)
        {
            ArrayPool<char>.Shared.Return(array);
        }
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_array.Length * 2, Length + needed));
        _array.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<char>.Shared.Return(_array);
        _array = bigger;
    }
}
