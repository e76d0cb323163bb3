using System.Buffers.Binary;
using System.Numerics;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// A fast non-cryptographic hash of key bytes: picks the shard for a key and serves the per-shard
/// key maps. Seeded per process so crafted keys cannot aim at one bucket across restarts.
/// </summary>
internal static class KeyHash
{
    private const ulong K1 = 0x9E3779B185EBCA87UL;
    private const ulong K2 = 0xC2B2AE3D27D4EB4FUL;
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64();

    public static ulong Compute(ReadOnlySpan<byte> key)
    {
        var length = key.Length;
        var h = Seed ^ ((ulong)length * K1);
        var i = 0;
        for (; length - i >= 8; i += 8)
        {
            h = BitOperations.RotateLeft(h ^ (BinaryPrimitives.ReadUInt64LittleEndian(key[i..]) * K2), 31) * K1;
        }

        // The last 1-7 bytes in one word, without a byte loop: overlapping reads (the length is already mixed in).
        ulong tail;
        if (i == length)
        {
            tail = 0;
        }
        else if (length >= 8)
        {
            tail = BinaryPrimitives.ReadUInt64LittleEndian(key[(length - 8)..]);
        }
        else if (length >= 4)
        {
            tail = BinaryPrimitives.ReadUInt32LittleEndian(key) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(key[(length - 4)..]) << 32);
        }
        else
        {
            tail = key[0] | ((ulong)key[length >> 1] << 8) | ((ulong)key[length - 1] << 16);
        }

        h = BitOperations.RotateLeft(h ^ (tail * K2), 31) * K1;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return h;
    }
}

/// <summary>
/// A key's UTF-8 bytes with its <see cref="KeyHash"/> already computed: the receive loop hashes each key once (for
/// the shard choice) and the shard's <see cref="KeyMap{TSlot}"/> reuses that hash instead of hashing the bytes again.
/// </summary>
internal readonly ref struct HashedKey
{
    public HashedKey(ReadOnlySpan<byte> bytes)
        : this(bytes, KeyHash.Compute(bytes))
    {
    }

    public HashedKey(ReadOnlySpan<byte> bytes, ulong hash)
    {
        Bytes = bytes;
        Hash = hash;
    }

    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary><see cref="KeyHash.Compute"/> of <see cref="Bytes"/>; at least its low 32 bits, all a <see cref="KeyMap{TSlot}"/> uses.</summary>
    public ulong Hash { get; }
}

/// <summary>Byte-array keys (set members) looked up by <see cref="ReadOnlySpan{T}"/> without allocating (alternate lookup).</summary>
internal sealed class Utf8KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static Utf8KeyComparer Instance { get; } = new();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => (int)KeyHash.Compute(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)KeyHash.Compute(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
