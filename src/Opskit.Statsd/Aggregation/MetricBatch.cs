using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// A pooled block of parsed metrics on its way from a receive loop to one shard: fixed 32-byte headers
/// followed by the key (and set member) bytes. Receive loops fill one per shard and hand it over whole,
/// so the hand-off costs one channel write per block, not per line.
/// </summary>
internal sealed class MetricBatch
{
    public const int Capacity = 64 * 1024;
    private const int HeaderSize = 32;

    public byte[] Buffer { get; } = new byte[Capacity];

    public int Length { get; private set; }

    public bool IsEmpty => Length == 0;

    public void Reset() => Length = 0;

    /// <summary>Appends one record; false when the block is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAppend(MetricType type, bool flag, ReadOnlySpan<byte> key, double a, double b, ReadOnlySpan<byte> member, long arrival)
    {
        var size = HeaderSize + key.Length + member.Length;
        if (Length + size > Capacity)
        {
            return false;
        }

        var span = Buffer.AsSpan(Length, size);
        span[0] = (byte)type;
        span[1] = flag ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], (ushort)key.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], member.Length);
        BinaryPrimitives.WriteDoubleLittleEndian(span[8..], a);
        BinaryPrimitives.WriteDoubleLittleEndian(span[16..], b);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], arrival);
        key.CopyTo(span[HeaderSize..]);
        member.CopyTo(span[(HeaderSize + key.Length)..]);
        Length += size;
        return true;
    }

    /// <summary>True when a single record of this size can never fit (keys over 64 KiB are dropped as bad).</summary>
    public static bool Fits(int keyLength, int memberLength) =>
        keyLength <= ushort.MaxValue && HeaderSize + keyLength + memberLength <= Capacity;

    /// <summary>Applies every record to <paramref name="shard"/> in order.</summary>
    public void ApplyTo(MetricShard shard)
    {
        var span = Buffer.AsSpan(0, Length);
        while (!span.IsEmpty)
        {
            var type = (MetricType)span[0];
            var flag = span[1] != 0;
            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(span[2..]);
            var memberLength = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
            var a = BinaryPrimitives.ReadDoubleLittleEndian(span[8..]);
            var b = BinaryPrimitives.ReadDoubleLittleEndian(span[16..]);
            var arrival = BinaryPrimitives.ReadInt64LittleEndian(span[24..]);
            var key = span.Slice(HeaderSize, keyLength);
            switch (type)
            {
                case MetricType.Counter:
                    shard.AddCounter(key, a, arrival);
                    break;
                case MetricType.Timer:
                    shard.AddTimer(key, a, b, arrival);
                    break;
                case MetricType.Gauge:
                    shard.SetGauge(key, a, flag, arrival);
                    break;
                case MetricType.Set:
                    shard.AddSetMember(key, span.Slice(HeaderSize + keyLength, memberLength), arrival);
                    break;
            }

            span = span[(HeaderSize + keyLength + memberLength)..];
        }
    }
}
