using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Parsing;

/// <summary>
/// The open requests by key (session fd or vxid): an open-addressing hash table with linear probing.
/// </summary>
/// <remarks>
/// It replaces a <c>Dictionary&lt;long, RequestRecord&gt;</c> looked up once per line: the framework's generic code
/// starts as ReadyToRun code and is re-jitted twice under TieredPGO (instrumented, then optimized) while the run
/// is already reading, and that warm-up was a visible part of a 100k-request run (issue 14, docs/vlogdump.md,
/// Performance). This one is jitted optimized at once. Deletion shifts the following entries back, so there are no
/// tombstones and a long run does not degrade.
/// </remarks>
internal sealed class OpenRequestTable
{
    private long[] _keys = new long[64];
    private RequestRecord?[] _values = new RequestRecord?[64];
    private int _mask = 63;

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGetValue(long key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RequestRecord? value)
    {
        var values = _values;
        var keys = _keys;
        for (var i = Slot(key); ; i = (i + 1) & _mask)
        {
            value = values[i];
            if (value is null)
            {
                return false;
            }

            if (keys[i] == key)
            {
                return true;
            }
        }
    }

    /// <summary>Adds <paramref name="value"/> under <paramref name="key"/>, replacing what was there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Set(long key, RequestRecord value)
    {
        if ((Count + 1) * 2 > _values.Length)
        {
            Grow();
        }

        var i = Slot(key);
        while (_values[i] is not null && _keys[i] != key)
        {
            i = (i + 1) & _mask;
        }

        if (_values[i] is null)
        {
            Count++;
        }

        _keys[i] = key;
        _values[i] = value;
    }

    /// <summary>Removes <paramref name="key"/>; false when it was not there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Remove(long key)
    {
        var i = Slot(key);
        while (true)
        {
            if (_values[i] is null)
            {
                return false;
            }

            if (_keys[i] == key)
            {
                break;
            }

            i = (i + 1) & _mask;
        }

        // Backward-shift deletion: move back every later entry of the run whose home slot allows it.
        var hole = i;
        for (var j = (i + 1) & _mask; _values[j] is not null; j = (j + 1) & _mask)
        {
            var home = Slot(_keys[j]);
            if (((j - home) & _mask) >= ((j - hole) & _mask))
            {
                _keys[hole] = _keys[j];
                _values[hole] = _values[j];
                hole = j;
            }
        }

        _values[hole] = null;
        _keys[hole] = 0;
        Count--;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(long key) => (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> 32) & _mask;

    private void Grow()
    {
        var keys = _keys;
        var values = _values;
        _keys = new long[keys.Length * 2];
        _values = new RequestRecord?[values.Length * 2];
        _mask = _values.Length - 1;
        Count = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } value)
            {
                Set(keys[i], value);
            }
        }
    }
}
