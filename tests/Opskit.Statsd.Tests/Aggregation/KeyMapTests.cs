using System.Runtime.CompilerServices;
using System.Text;
using Opskit.Statsd.Aggregation;

namespace Opskit.Statsd.Tests.Aggregation;

public sealed class KeyMapTests
{
    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"app.key.{i}");

    [Fact]
    public void Keys_are_found_again_after_the_table_grows_and_keep_insertion_order()
    {
        var map = new KeyMap<int>();
        for (var i = 0; i < 10_000; i++)
        {
            ref var slot = ref map.GetValueRefOrAddDefault(new HashedKey(Key(i)), out var exists);
            Assert.False(exists);
            slot = i;
        }

        for (var i = 0; i < 10_000; i++)
        {
            ref var slot = ref map.GetValueRefOrAddDefault(new HashedKey(Key(i)), out var exists);
            Assert.True(exists);
            Assert.Equal(i, slot);
            slot += 1;
        }

        Assert.Equal(10_000, map.Count);
        var n = 0;
        foreach (var (key, value) in map)
        {
            Assert.Equal(Key(n), key);
            Assert.Equal(n + 1, value);
            n++;
        }

        Assert.Equal(10_000, n);
    }

    [Fact]
    public void Removed_keys_are_gone_and_a_key_added_again_comes_last()
    {
        var map = new KeyMap<int>();
        for (var i = 0; i < 100; i++)
        {
            map.GetValueRefOrAddDefault(new HashedKey(Key(i)), out _) = i;
        }

        map.RemoveAll([Key(3), Key(50), Key(99), Encoding.UTF8.GetBytes("not.there")]);
        Assert.Equal(97, map.Count);
        Assert.False(map.ContainsKey(Key(3)));
        Assert.True(Unsafe.IsNullRef(ref map.GetValueRefOrNullRef(Key(50))));
        Assert.Equal(4, map.GetValueRefOrNullRef(Key(4)));

        map.GetValueRefOrAddDefault(new HashedKey(Key(3)), out var exists) = 1000;
        Assert.False(exists);
        Assert.Equal(Key(3), map.KeyAt(map.Count - 1));
        Assert.Equal(1000, map.SlotAt(map.Count - 1));
        Assert.Equal(Key(4), map.KeyAt(3));
    }

    [Fact]
    public void Removing_every_key_leaves_an_empty_map_that_still_works()
    {
        var map = new KeyMap<double>();
        var keys = Enumerable.Range(0, 5000).Select(Key).ToList();
        foreach (var key in keys)
        {
            map.GetValueRefOrAddDefault(new HashedKey(key), out _) = 1;
        }

        map.RemoveAll(keys);
        Assert.Equal(0, map.Count);
        Assert.False(map.ContainsKey(keys[0]));
        map.GetValueRefOrAddDefault(new HashedKey(keys[7]), out var exists) = 2;
        Assert.False(exists);
        Assert.Equal(2, map.GetValueRefOrNullRef(keys[7]));
    }

    [Fact]
    public void Keys_that_differ_only_in_length_or_last_byte_are_distinct()
    {
        var map = new KeyMap<int>();
        string[] names = ["", "a", "ab", "abc", "abcd", "abcdefg", "abcdefgh", "abcdefghi", "abcdefgh\0", "abcdefgi", "abcdefghijklmno", "abcdefghijklmnp"];
        for (var i = 0; i < names.Length; i++)
        {
            map.GetValueRefOrAddDefault(new HashedKey(Encoding.UTF8.GetBytes(names[i])), out var exists) = i;
            Assert.False(exists);
        }

        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal(i, map.GetValueRefOrNullRef(Encoding.UTF8.GetBytes(names[i])));
        }
    }
}
