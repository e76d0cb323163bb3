using System.Runtime.CompilerServices;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// A shard's map from UTF-8 key bytes to a slot: open addressing (linear probing, at most half full) over an
/// entry array kept in insertion order, looked up with the hash the receive loop already computed. Replaces a
/// <see cref="Dictionary{TKey, TValue}"/> with an alternate lookup on the shard's hot path: no interface calls
/// for hashing and comparing, a 32-bit hash compare before the bytes, and no rehash of the key. Enumerates in
/// insertion order, and removal compacts (keys added later come last, as in a JavaScript object).
/// Single-threaded, like the shard.
/// </summary>
internal sealed class KeyMap<TSlot>
{
    private int[] _buckets; // entry index + 1; 0 = empty
    private Entry[] _entries;
    private int _count;

    public KeyMap(int capacity = 8)
    {
        var size = Math.Max(8, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity));
        _buckets = new int[size * 2];
        _entries = new Entry[size];
    }

    public int Count => _count;

    /// <summary>The slot of <paramref name="key"/>, added with a default slot (and a copy of the key) when missing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TSlot GetValueRefOrAddDefault(HashedKey key, out bool exists)
    {
        var hash = (uint)key.Hash;
        var buckets = _buckets;
        var mask = buckets.Length - 1;
        var i = (int)hash & mask;
        while (true)
        {
            var index = buckets[i] - 1;
            if (index < 0)
            {
                break;
            }

            ref var entry = ref _entries[index];
            if (entry.Hash == hash && key.Bytes.SequenceEqual(entry.Key))
            {
                exists = true;
                return ref entry.Slot;
            }

            i = (i + 1) & mask;
        }

        exists = false;
        return ref Add(key.Bytes.ToArray(), hash, i);
    }

    /// <summary>The slot of <paramref name="key"/>, or a null reference (test with <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>).</summary>
    public ref TSlot GetValueRefOrNullRef(byte[] key)
    {
        var index = Find(key);
        if (index < 0)
        {
            return ref Unsafe.NullRef<TSlot>();
        }

        return ref _entries[index].Slot;
    }

    public bool ContainsKey(byte[] key) => Find(key) >= 0;

    /// <summary>Key of the entry at <paramref name="index"/> (insertion order, 0 to <see cref="Count"/> - 1).</summary>
    public byte[] KeyAt(int index) => _entries[index].Key;

    /// <summary>Slot of the entry at <paramref name="index"/> (insertion order, 0 to <see cref="Count"/> - 1).</summary>
    public ref TSlot SlotAt(int index) => ref _entries[index].Slot;

    /// <summary>Removes <paramref name="keys"/> (those present), keeping the others in their order.</summary>
    public void RemoveAll(List<byte[]> keys)
    {
        var removed = new bool[_count];
        var removedCount = 0;
        foreach (var key in keys)
        {
            var index = Find(key);
            if (index >= 0 && !removed[index])
            {
                removed[index] = true;
                removedCount++;
            }
        }

        RemoveFlagged(removed, removedCount);
    }

    /// <summary>Removes the entries whose index is flagged (<paramref name="removedCount"/> of them), in one pass.</summary>
    public void RemoveFlagged(bool[] removed, int removedCount)
    {
        if (removedCount == 0)
        {
            return;
        }

        // Into arrays sized for what is left (as a rebuilt Dictionary would be): a flush that deletes most keys
        // gives the memory back.
        var remaining = _count - removedCount;
        var size = Math.Max(8, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, remaining)));
        var entries = new Entry[size];
        var write = 0;
        for (var read = 0; read < _count; read++)
        {
            if (!removed[read])
            {
                entries[write++] = _entries[read];
            }
        }

        _entries = entries;
        _count = write;
        Rehash(size * 2);
    }

    /// <summary>Entries in insertion order (slots by value; use <see cref="SlotAt"/> or a lookup to change one).</summary>
    public Enumerator GetEnumerator() => new(this);

    private int Find(byte[] key)
    {
        var hash = (uint)KeyHash.Compute(key);
        var mask = _buckets.Length - 1;
        var i = (int)hash & mask;
        while (true)
        {
            var index = _buckets[i] - 1;
            if (index < 0)
            {
                return -1;
            }

            ref var entry = ref _entries[index];
            if (entry.Hash == hash && key.AsSpan().SequenceEqual(entry.Key))
            {
                return index;
            }

            i = (i + 1) & mask;
        }
    }

    private ref TSlot Add(byte[] key, uint hash, int bucket)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        var index = _count++;
        _entries[index] = new Entry { Hash = hash, Key = key };
        if (_count * 2 > _buckets.Length)
        {
            // Over half full: double the table (all entries, this one included, placed again).
            Rehash(_buckets.Length * 2);
        }
        else
        {
            _buckets[bucket] = index + 1;
        }

        return ref _entries[index].Slot;
    }

    private void Rehash(int size)
    {
        var buckets = new int[size];
        var mask = size - 1;
        for (var index = 0; index < _count; index++)
        {
            var i = (int)_entries[index].Hash & mask;
            while (buckets[i] != 0)
            {
                i = (i + 1) & mask;
            }

            buckets[i] = index + 1;
        }

        _buckets = buckets;
    }

    /// <summary>Walks the entries in insertion order; the map must not gain or lose keys meanwhile.</summary>
    public struct Enumerator(KeyMap<TSlot> map)
    {
        private int _index = -1;

        public readonly KeyValuePair<byte[], TSlot> Current => new(map._entries[_index].Key, map._entries[_index].Slot);

        public bool MoveNext() => ++_index < map._count;
    }

    private struct Entry
    {
        public uint Hash;
        public byte[] Key;
        public TSlot Slot;
    }
}
