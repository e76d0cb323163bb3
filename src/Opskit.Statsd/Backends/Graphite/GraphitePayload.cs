using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Backends.Graphite;

/// <summary>
/// One flush as Graphite receives it (text lines or one pickle message), held in 1 MiB chunks: a pickle flush (its
/// length header comes first) and tests. Text flushes are streamed by <see cref="GraphiteFlush"/> instead.
/// </summary>
internal sealed class GraphitePayload
{
    /// <summary>How much one send call may write; each call must finish within the write timeout.</summary>
    internal const int SliceSize = 64 * 1024;

    private readonly List<ArraySegment<byte>> _chunks;

    internal GraphitePayload(List<ArraySegment<byte>> chunks, long length, int lines)
    {
        _chunks = chunks;
        Length = length;
        Lines = lines;
    }

    /// <summary>Bytes on the wire.</summary>
    public long Length { get; }

    /// <summary>Metric lines (text) or tuples (pickle) in it.</summary>
    public int Lines { get; }

    /// <summary>The whole payload as one array (tests).</summary>
    internal byte[] ToArray()
    {
        var result = new byte[Length];
        var at = 0;
        foreach (var chunk in _chunks)
        {
            chunk.AsSpan().CopyTo(result.AsSpan(at));
            at += chunk.Count;
        }

        return result;
    }

    /// <summary>
    /// Sends every byte. Each slice of at most <see cref="SliceSize"/> bytes gets <paramref name="stallTimeout"/>
    /// to be taken by the kernel: a receiver that keeps reading, however slowly, is never cut; one that stops
    /// reading for that long is.
    /// </summary>
    /// <exception cref="TimeoutException">No progress for <paramref name="stallTimeout"/>.</exception>
    public async Task SendAsync(Socket socket, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        foreach (var chunk in _chunks)
        {
            await SendChunkAsync(socket, chunk, stallTimeout, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends one chunk in slices of <see cref="SliceSize"/>, each within <paramref name="stallTimeout"/>.</summary>
    /// <exception cref="TimeoutException">No progress for <paramref name="stallTimeout"/>.</exception>
    internal static async Task SendChunkAsync(Socket socket, ArraySegment<byte> chunk, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        for (var offset = 0; offset < chunk.Count; offset += SliceSize)
        {
            var slice = chunk.AsMemory(offset, Math.Min(SliceSize, chunk.Count - offset));
            stall.CancelAfter(stallTimeout);
            try
            {
                while (!slice.IsEmpty)
                {
                    var sent = await socket.SendAsync(slice, SocketFlags.None, stall.Token).ConfigureAwait(false);
                    slice = slice[sent..];
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no progress for {stallTimeout.TotalSeconds:0.###} s (receiver stopped reading)");
            }
        }
    }
}

/// <summary>
/// Writes Graphite lines straight to UTF-8 chunks: <c>name value ts\n</c> (Etsy <c>Stats.toText</c>) or
/// <c>(S'name'\n(Lts L\nS'value'\ntta</c> inside a pickle list (Etsy <c>Stats.toPickle</c>). No string per line.
/// </summary>
internal sealed class GraphitePayloadWriter
{
    private const int ChunkSize = 1024 * 1024;
    private readonly bool _pickle;
    private readonly int _chunkSize;
    private readonly List<ArraySegment<byte>> _chunks = [];
    private readonly List<ArraySegment<byte>> _pending = [];
    private byte[] _current;
    private int _position;
    private long _length;
    private long _released;
    private long _characters;
    private int _lines;

    // Formatted values and the timestamp, memoized: in a big keyspace most lines repeat a few values (0, 1, the
    // same rate) and every line of a flush has the same timestamp; formatting a double costs more than the copy.
    private readonly long[] _memoBits = new long[MemoSlots];
    private readonly byte[] _memoText = new byte[MemoSlots * JsNumber.MaxFormattedLength];
    private readonly int[] _memoLength = new int[MemoSlots];
    private readonly byte[] _timestampText = new byte[24];
    private long _timestamp = long.MinValue;
    private int _timestampLength;
    private const int MemoSlots = 16;

    /// <param name="pickle">Pickle instead of text lines.</param>
    /// <param name="chunkSize">Size of each buffer. A streamed text flush uses one buffer again and again
    /// (<see cref="Pending"/>, <see cref="Release"/>); a whole payload is a list of them.</param>
    public GraphitePayloadWriter(bool pickle, int chunkSize = ChunkSize)
    {
        _pickle = pickle;
        _chunkSize = chunkSize;
        _current = GC.AllocateUninitializedArray<byte>(chunkSize);
        if (pickle)
        {
            _position = 4; // length header, written by Finish
            WriteAscii("(l"u8);
        }
    }

    /// <summary>Bytes written so far (text: what goes on the wire).</summary>
    public long Length => _length;

    /// <summary>Lines written so far.</summary>
    public int Lines => _lines;

    /// <summary>Bytes written since the last <see cref="Release"/>.</summary>
    public long PendingBytes => _length - _released;

    /// <summary>
    /// The bytes written since the last <see cref="Release"/> (text only: a pickle's header is written last). Send
    /// them, then call <see cref="Release"/>, which lets the writer reuse its buffer.
    /// </summary>
    public List<ArraySegment<byte>> Pending()
    {
        _pending.Clear();
        _pending.AddRange(_chunks);
        _pending.Add(new ArraySegment<byte>(_current, 0, _position));
        return _pending;
    }

    /// <summary>Forgets what <see cref="Pending"/> returned; writing goes on at the start of the current buffer.</summary>
    public void Release()
    {
        _chunks.Clear();
        _pending.Clear();
        _position = 0;
        _released = _length;
    }

    /// <summary>Starts a line (pickle: the tuple's opening).</summary>
    public void BeginLine()
    {
        if (_pickle)
        {
            WriteAscii("(S'"u8);
        }
    }

    /// <summary>Part of the metric name.</summary>
    public void Write(ReadOnlySpan<char> text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        Ensure(max);
        var n = Encoding.UTF8.GetBytes(text, _current.AsSpan(_position));
        _position += n;
        _length += n;
        _characters += text.Length;
    }

    /// <summary>ASCII part of the metric name ('.' separators).</summary>
    public void WriteAscii(ReadOnlySpan<byte> text) => WriteEncoded(text, text.Length);

    /// <summary>Part of the metric name already in UTF-8, with its length in UTF-16 units (what a pickle header counts).</summary>
    public void WriteEncoded(ReadOnlySpan<byte> utf8, int utf16Length)
    {
        Ensure(utf8.Length);
        utf8.CopyTo(_current.AsSpan(_position));
        _position += utf8.Length;
        _length += utf8.Length;
        _characters += utf16Length;
    }

    /// <summary>Ends the line with its value (JavaScript <c>String(value)</c>) and timestamp.</summary>
    public void EndLine(double value, long timestamp)
    {
        Ensure(JsNumber.MaxFormattedLength + 48);
        var start = _position;
        var span = _current.AsSpan();
        if (_pickle)
        {
            "'\n(L"u8.CopyTo(span[_position..]);
            _position += 4;
            _position += FormatTimestamp(timestamp, span[_position..]);
            "L\nS'"u8.CopyTo(span[_position..]);
            _position += 4;
            _position += FormatValue(value, span[_position..]);
            "'\ntta"u8.CopyTo(span[_position..]);
            _position += 5;
        }
        else
        {
            span[_position++] = (byte)' ';
            _position += FormatValue(value, span[_position..]);
            span[_position++] = (byte)' ';
            _position += FormatTimestamp(timestamp, span[_position..]);
            span[_position++] = (byte)'\n';
        }

        _length += _position - start;
        _characters += _position - start;
        _lines++;
    }

    private int FormatValue(double value, Span<byte> destination)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var slot = (int)(((ulong)bits * 0x9E3779B97F4A7C15UL) >> 60);
        var length = _memoLength[slot];
        var memo = _memoText.AsSpan(slot * JsNumber.MaxFormattedLength, JsNumber.MaxFormattedLength);
        if (length > 0 && _memoBits[slot] == bits)
        {
            memo[..length].CopyTo(destination);
            return length;
        }

        length = JsNumber.Format(value, destination);
        destination[..length].CopyTo(memo);
        _memoBits[slot] = bits;
        _memoLength[slot] = length;
        return length;
    }

    private int FormatTimestamp(long timestamp, Span<byte> destination)
    {
        if (timestamp != _timestamp)
        {
            timestamp.TryFormat(_timestampText, out _timestampLength);
            _timestamp = timestamp;
        }

        _timestampText.AsSpan(0, _timestampLength).CopyTo(destination);
        return _timestampLength;
    }

    /// <summary>A whole line with a name given as one string.</summary>
    public void Line(string name, double value, long timestamp)
    {
        BeginLine();
        Write(name);
        EndLine(value, timestamp);
    }

    /// <summary>Closes the payload (pickle: the list's end and the 4-byte length header).</summary>
    public GraphitePayload Finish()
    {
        if (_pickle)
        {
            WriteAscii("."u8);
        }

        _chunks.Add(new ArraySegment<byte>(_current, 0, _position));
        if (_pickle)
        {
            // Etsy writes body.length: the body's length in UTF-16 units, as JavaScript counts a string.
            BinaryPrimitives.WriteUInt32BigEndian(_chunks[0].Array, (uint)_characters);
            _length += 4;
        }

        return new GraphitePayload(_chunks, _length, _lines);
    }

    private void Ensure(int bytes)
    {
        if (_current.Length - _position >= bytes)
        {
            return;
        }

        _chunks.Add(new ArraySegment<byte>(_current, 0, _position));
        _current = GC.AllocateUninitializedArray<byte>(Math.Max(_chunkSize, bytes));
        _position = 0;
    }
}
