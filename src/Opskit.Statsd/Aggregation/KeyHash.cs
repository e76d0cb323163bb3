using System.Buffers.Binary;
using System.Numerics;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// A fast non-cryptographic hash of key bytes: picks the shard for a key and serves the per-shard
/// dictionaries. Seeded per process so crafted keys cannot aim at one bucket across restarts.
/// </summary>
internal static class KeyHash
{
    private const ulong K1 = 0x9E3779B185EBCA87UL;
    private const ulong K2 = 0xC2B2AE3D27D4EB4FUL;
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64();

    public static ulong Compute(ReadOnlySpan<byte> key)
    {
        var h = Seed ^ ((ulong)key.Length * K1);
        while (key.Length >= 8)
        {
            h = BitOperations.RotateLeft(h ^ (BinaryPrimitives.ReadUInt64LittleEndian(key) * K2), 31) * K1;
            key = key[8..];
        }

        ulong tail = 0;
        for (var i = 0; i < key.Length; i++)
        {
            tail |= (ulong)key[i] << (8 * i);
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
/// the shard choice) and the shard's dictionaries reuse that hash instead of hashing the bytes again.
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

    /// <summary><see cref="KeyHash.Compute"/> of <see cref="Bytes"/>; at least its low 32 bits, all the dictionaries use.</summary>
    public ulong Hash { get; }
}

/// <summary>Byte-array keys looked up by <see cref="ReadOnlySpan{T}"/> or <see cref="HashedKey"/> without allocating (alternate lookup).</summary>
internal sealed class Utf8KeyComparer
    : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>, IAlternateEqualityComparer<HashedKey, byte[]>
{
    public static Utf8KeyComparer Instance { get; } = new();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => (int)KeyHash.Compute(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)KeyHash.Compute(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    public bool Equals(HashedKey alternate, byte[] other) => alternate.Bytes.SequenceEqual(other);

    public int GetHashCode(HashedKey alternate) => (int)alternate.Hash;

    public byte[] Create(HashedKey alternate) => alternate.Bytes.ToArray();
}
