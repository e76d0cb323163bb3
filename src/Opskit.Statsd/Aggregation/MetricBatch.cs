using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// A pooled block of parsed metrics on its way from a receive loop to one shard: compact records followed by
/// their key (and set member) bytes. Receive loops fill one per shard and hand it over whole, so the hand-off
/// costs one queue write per block, not per line.
/// </summary>
/// <remarks>
/// Record layout (native byte order: the block never leaves the process): type (1), gauge sign flag (1), key
/// length (2), key hash (4, the low half of <see cref="KeyHash.Compute"/>, so the shard does not hash the key
/// again), arrival stamp (8), then per type: counter and gauge a value (8), timer a value and a count increment
/// (16), set a member length (4); then the key bytes and the member bytes. A counter with a 20-byte key takes
/// 44 bytes.
/// </remarks>
internal sealed class MetricBatch
{
    public const int Capacity = 64 * 1024;
    private const int CommonSize = 16;
    private const int MaxHeaderSize = CommonSize + 16;

    public byte[] Buffer { get; } = new byte[Capacity];

    public int Length { get; private set; }

    public bool IsEmpty => Length == 0;

    public void Reset() => Length = 0;

    /// <summary>Appends one record; false when the block is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAppend(MetricType type, bool flag, ReadOnlySpan<byte> key, ulong hash, double a, double b, ReadOnlySpan<byte> member, long arrival)
    {
        var header = type switch
        {
            MetricType.Timer => CommonSize + 16,
            MetricType.Set => CommonSize + 4,
            _ => CommonSize + 8,
        };
        var size = header + key.Length + member.Length;
        if (Length + size > Capacity)
        {
            return false;
        }

        ref var at = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Buffer), Length);
        at = (byte)type;
        Unsafe.Add(ref at, 1) = flag ? (byte)1 : (byte)0;
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 2), (ushort)key.Length);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 4), (uint)hash);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 8), arrival);
        switch (type)
        {
            case MetricType.Timer:
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, CommonSize), a);
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, CommonSize + 8), b);
                break;
            case MetricType.Set:
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, CommonSize), member.Length);
                break;
            default:
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, CommonSize), a);
                break;
        }

        var span = Buffer.AsSpan(Length + header, key.Length + member.Length);
        key.CopyTo(span);
        if (!member.IsEmpty)
        {
            member.CopyTo(span[key.Length..]);
        }

        Length += size;
        return true;
    }

    /// <summary>True when a single record of this size can never fit (keys over 64 KiB are dropped as bad).</summary>
    public static bool Fits(int keyLength, int memberLength) =>
        keyLength <= ushort.MaxValue && MaxHeaderSize + keyLength + memberLength <= Capacity;

    /// <summary>Applies every record to <paramref name="shard"/> in order.</summary>
    public void ApplyTo(MetricShard shard)
    {
        var span = Buffer.AsSpan(0, Length);
        var position = 0;
        while (position < span.Length)
        {
            ref var at = ref Unsafe.Add(ref MemoryMarshal.GetReference(span), position);
            var type = (MetricType)at;
            int keyLength = Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref at, 2));
            ulong hash = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref at, 4));
            var arrival = Unsafe.ReadUnaligned<long>(ref Unsafe.Add(ref at, 8));
            switch (type)
            {
                case MetricType.Counter:
                    shard.AddCounter(new HashedKey(span.Slice(position + CommonSize + 8, keyLength), hash), Unsafe.ReadUnaligned<double>(ref Unsafe.Add(ref at, CommonSize)), arrival);
                    position += CommonSize + 8 + keyLength;
                    break;
                case MetricType.Timer:
                    shard.AddTimer(
                        new HashedKey(span.Slice(position + CommonSize + 16, keyLength), hash),
                        Unsafe.ReadUnaligned<double>(ref Unsafe.Add(ref at, CommonSize)),
                        Unsafe.ReadUnaligned<double>(ref Unsafe.Add(ref at, CommonSize + 8)),
                        arrival);
                    position += CommonSize + 16 + keyLength;
                    break;
                case MetricType.Gauge:
                    shard.SetGauge(new HashedKey(span.Slice(position + CommonSize + 8, keyLength), hash), Unsafe.ReadUnaligned<double>(ref Unsafe.Add(ref at, CommonSize)), Unsafe.Add(ref at, 1) != 0, arrival);
                    position += CommonSize + 8 + keyLength;
                    break;
                default:
                    var memberLength = Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref at, CommonSize));
                    var keyStart = position + CommonSize + 4;
                    shard.AddSetMember(new HashedKey(span.Slice(keyStart, keyLength), hash), span.Slice(keyStart + keyLength, memberLength), arrival);
                    position = keyStart + keyLength + memberLength;
                    break;
            }
        }
    }
}
