using System.Security.Cryptography;

namespace Opskit.Edge.Profiles;

/// <summary>
/// An exact in-memory copy of the profile ids of one file, built after the file is swapped in: 64-bit fingerprints
/// sorted and bucketed by their top bits (about 8 per bucket) plus the id bytes themselves. A lookup hashes the id,
/// scans one bucket (one or two cache lines) and compares the bytes of the matching entry, instead of walking SQLite's
/// B-tree through ~4 pages of a file far larger than the CPU caches. The answers are exactly the file's.
/// Memory: about 13 bytes plus the id length per profile (≈ 260 MB for 10M ids of 13 characters).
/// </summary>
internal sealed class ProfileIndex
{
    private static readonly ulong Seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    private readonly ulong[] _fingerprints;
    private readonly int[] _offsets;
    private readonly byte[] _keys;
    private readonly int[] _bucketStarts;
    private readonly int _shift;

    private ProfileIndex(ulong[] fingerprints, int[] offsets, byte[] keys, int[] bucketStarts, int shift)
    {
        _fingerprints = fingerprints;
        _offsets = offsets;
        _keys = keys;
        _bucketStarts = bucketStarts;
        _shift = shift;
    }

    public int Count => _fingerprints.Length;

    /// <summary>Collects ids (UTF-8) and builds the index.</summary>
    internal sealed class Builder
    {
        private ulong[] _fingerprints = new ulong[1 << 16];
        private int[] _offsets = new int[1 << 16];
        private byte[] _keys = new byte[1 << 20];
        private int _count;
        private int _keyBytes;

        /// <summary>False when the ids no longer fit in one array (over 2 GB of ids): the index is then not used.</summary>
        public bool Add(ReadOnlySpan<byte> id)
        {
            if (id.Length > 255 || (long)_keyBytes + id.Length + 1 > Array.MaxLength)
            {
                return false;
            }

            if (_count == _fingerprints.Length)
            {
                Array.Resize(ref _fingerprints, _count * 2);
                Array.Resize(ref _offsets, _count * 2);
            }

            if (_keyBytes + id.Length + 1 > _keys.Length)
            {
                Array.Resize(ref _keys, (int)Math.Min(Array.MaxLength, (long)_keys.Length * 2));
            }

            _fingerprints[_count] = Fingerprint(id);
            _offsets[_count] = _keyBytes;
            _keys[_keyBytes] = (byte)id.Length;
            id.CopyTo(_keys.AsSpan(_keyBytes + 1));
            _keyBytes += id.Length + 1;
            _count++;
            return true;
        }

        public ProfileIndex Build()
        {
            var count = _count;
            var fingerprints = _fingerprints[..count];
            var offsets = _offsets[..count];
            Array.Sort(fingerprints, offsets);
            var bits = Math.Clamp(64 - (int)ulong.LeadingZeroCount((ulong)Math.Max(1, count / 8)), 1, 28);
            var shift = 64 - bits;
            var starts = new int[(1 << bits) + 1];
            var at = 0;
            for (var bucket = 0; bucket < starts.Length - 1; bucket++)
            {
                starts[bucket] = at;
                while (at < count && (int)(fingerprints[at] >> shift) == bucket)
                {
                    at++;
                }
            }

            starts[^1] = count;
            return new ProfileIndex(fingerprints, offsets, _keys[.._keyBytes], starts, shift);
        }
    }

    /// <summary>True when the id is one of the file's profile ids (exact: the bytes are compared).</summary>
    public bool Contains(ReadOnlySpan<byte> idUtf8)
    {
        var fingerprint = Fingerprint(idUtf8);
        var bucket = (int)(fingerprint >> _shift);
        var end = _bucketStarts[bucket + 1];
        var fingerprints = _fingerprints;
        for (var i = _bucketStarts[bucket]; i < end; i++)
        {
            var candidate = fingerprints[i];
            if (candidate > fingerprint)
            {
                return false;
            }

            if (candidate == fingerprint)
            {
                var offset = _offsets[i];
                if (_keys.AsSpan(offset + 1, _keys[offset]).SequenceEqual(idUtf8))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Seeded FNV-1a-64 with MurmurHash3's finalizer; the seed is random per process.</summary>
    public static ulong Fingerprint(ReadOnlySpan<byte> idUtf8)
    {
        var hash = 14695981039346656037UL ^ Seed;
        foreach (var b in idUtf8)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }
}
