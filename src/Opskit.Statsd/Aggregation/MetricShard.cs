using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// One shard of the aggregation state, written by exactly one thread (its <see cref="ShardWorker"/>, or the
/// caller in benchmarks and tests). Keys are UTF-8 bytes found through an alternate lookup, so a key seen
/// before costs a hash and a compare, no allocation; its .NET string is made once, on first sight.
/// Mirrors Etsy's <c>counters</c>, <c>timers</c>/<c>timer_counters</c>, <c>gauges</c>/<c>gaugesTTL</c> and <c>sets</c>.
/// </summary>
internal sealed class MetricShard
{
    private readonly Dictionary<byte[], CounterSlot> _counters = new(Utf8KeyComparer.Instance);
    private readonly Dictionary<byte[], TimerSlot> _timers = new(Utf8KeyComparer.Instance);
    private readonly Dictionary<byte[], GaugeSlot> _gauges = new(Utf8KeyComparer.Instance);
    private readonly Dictionary<byte[], SetSlot> _sets = new(Utf8KeyComparer.Instance);
    private readonly Dictionary<byte[], CounterSlot>.AlternateLookup<ReadOnlySpan<byte>> _counterLookup;
    private readonly Dictionary<byte[], TimerSlot>.AlternateLookup<ReadOnlySpan<byte>> _timerLookup;
    private readonly Dictionary<byte[], GaugeSlot>.AlternateLookup<ReadOnlySpan<byte>> _gaugeLookup;
    private readonly Dictionary<byte[], SetSlot>.AlternateLookup<ReadOnlySpan<byte>> _setLookup;

    public MetricShard()
    {
        _counterLookup = _counters.GetAlternateLookup<ReadOnlySpan<byte>>();
        _timerLookup = _timers.GetAlternateLookup<ReadOnlySpan<byte>>();
        _gaugeLookup = _gauges.GetAlternateLookup<ReadOnlySpan<byte>>();
        _setLookup = _sets.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Current settings (delete options, gauge TTL); replaced on reload.</summary>
    public AggregationSettings Settings { get; set; } = new();

    /// <summary>Number of keys held (all types), for memory accounting.</summary>
    public int KeyCount => _counters.Count + _timers.Count + _gauges.Count + _sets.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddCounter(ReadOnlySpan<byte> key, double increment)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_counterLookup, key, out var exists);
        if (!exists)
        {
            slot.Name = Encoding.UTF8.GetString(key);
        }

        slot.Value += increment;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddTimer(ReadOnlySpan<byte> key, double value, double countIncrement)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_timerLookup, key, out var exists);
        if (!exists)
        {
            slot.Name = Encoding.UTF8.GetString(key);
            slot.Values = new TimerValues(4);
        }

        slot.Values!.Add(value);
        slot.Count += countIncrement;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetGauge(ReadOnlySpan<byte> key, double value, bool signed)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_gaugeLookup, key, out var exists);
        if (!exists)
        {
            slot.Name = Encoding.UTF8.GetString(key);
        }

        var settings = Settings;
        if (settings.DeleteGauges)
        {
            slot.Ttl = settings.GaugesMaxTtl;
        }

        // Etsy: `if (gauges[key] && fields[0].match(/^[-+]/)) += else =` - a delta on a gauge that is
        // missing, 0 or NaN sets it.
        var truthy = exists && slot.Value != 0 && !double.IsNaN(slot.Value);
        slot.Value = truthy && signed ? slot.Value + value : value;
    }

    public void AddSetMember(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_setLookup, key, out var exists);
        if (!exists)
        {
            slot.Name = Encoding.UTF8.GetString(key);
            slot.Members = new HashSet<byte[]>(Utf8KeyComparer.Instance);
        }

        var members = slot.Members!.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (!members.Contains(member))
        {
            members.Add(member);
        }
    }

    /// <summary>
    /// Takes this interval's values and resets the shard as Etsy's <c>clear_metrics</c> does after a flush:
    /// counters to 0 (or deleted), timers emptied (or deleted), sets emptied (or deleted), gauges kept unless
    /// their TTL runs out under <c>deleteGauges</c>. The snapshot owns what it holds; nothing is shared.
    /// </summary>
    public ShardSnapshot TakeSnapshot()
    {
        var settings = Settings;
        var counters = new NamedValue[_counters.Count];
        var i = 0;
        List<byte[]>? remove = null;
        foreach (var (key, slot) in _counters)
        {
            counters[i++] = new NamedValue(slot.Name, slot.Value);
            ref var live = ref CollectionsMarshal.GetValueRefOrNullRef(_counters, key);
            if (settings.DeleteCounters && !IsInternalCounterName(slot.Name))
            {
                (remove ??= []).Add(key);
            }
            else
            {
                live.Value = 0;
            }
        }

        RemoveAll(_counters, remove);

        var timers = new TimerSnapshot[_timers.Count];
        i = 0;
        remove = null;
        foreach (var (key, slot) in _timers)
        {
            var values = slot.Values!;
            timers[i++] = new TimerSnapshot(slot.Name, values.ToArray(), slot.Count);
            if (settings.DeleteTimers)
            {
                (remove ??= []).Add(key);
            }
            else
            {
                ref var live = ref CollectionsMarshal.GetValueRefOrNullRef(_timers, key);
                live.Values!.Clear();
                live.Count = 0;
            }
        }

        RemoveAll(_timers, remove);

        var gauges = new NamedValue[_gauges.Count];
        i = 0;
        remove = null;
        foreach (var (key, slot) in _gauges)
        {
            gauges[i++] = new NamedValue(slot.Name, slot.Value);
        }

        if (settings.DeleteGauges)
        {
            foreach (var (key, _) in _gauges)
            {
                ref var live = ref CollectionsMarshal.GetValueRefOrNullRef(_gauges, key);
                // Gauges set before deleteGauges was on carry no TTL (Etsy keeps them in gaugesTTL only on receipt).
                if (live.Ttl == 0)
                {
                    continue;
                }

                live.Ttl--;
                if (live.Ttl < 1)
                {
                    (remove ??= []).Add(key);
                }
            }
        }
        else
        {
            foreach (var (key, _) in _gauges)
            {
                CollectionsMarshal.GetValueRefOrNullRef(_gauges, key).Ttl = 0;
            }
        }

        RemoveAll(_gauges, remove);

        var sets = new SetSnapshot[_sets.Count];
        i = 0;
        remove = null;
        foreach (var (key, slot) in _sets)
        {
            var members = new string[slot.Members!.Count];
            var m = 0;
            foreach (var member in slot.Members)
            {
                members[m++] = Encoding.UTF8.GetString(member);
            }

            sets[i++] = new SetSnapshot(slot.Name, members);
            if (settings.DeleteSets)
            {
                (remove ??= []).Add(key);
            }
            else
            {
                slot.Members.Clear();
            }
        }

        RemoveAll(_sets, remove);
        return new ShardSnapshot(counters, timers, gauges, sets);
    }

    /// <summary>Etsy keeps these at 0 under deleteCounters (it tests <c>indexOf</c>, so any key containing them).</summary>
    internal static bool IsInternalCounterName(string name) =>
        name.Contains("packets_received", StringComparison.Ordinal)
        || name.Contains("metrics_received", StringComparison.Ordinal)
        || name.Contains("bad_lines_seen", StringComparison.Ordinal);

    /// <summary>Current values for the management console (counters, gauges).</summary>
    public List<NamedValue> ListCounters()
    {
        var list = new List<NamedValue>(_counters.Count);
        foreach (var slot in _counters.Values)
        {
            list.Add(new NamedValue(slot.Name, slot.Value));
        }

        return list;
    }

    public List<NamedValue> ListGauges()
    {
        var list = new List<NamedValue>(_gauges.Count);
        foreach (var slot in _gauges.Values)
        {
            list.Add(new NamedValue(slot.Name, slot.Value));
        }

        return list;
    }

    public List<TimerSnapshot> ListTimers()
    {
        var list = new List<TimerSnapshot>(_timers.Count);
        foreach (var slot in _timers.Values)
        {
            list.Add(new TimerSnapshot(slot.Name, slot.Values!.ToArray(), slot.Count));
        }

        return list;
    }

    public List<SetSnapshot> ListSets()
    {
        var list = new List<SetSnapshot>(_sets.Count);
        foreach (var slot in _sets.Values)
        {
            var members = new List<string>(slot.Members!.Count);
            foreach (var member in slot.Members)
            {
                members.Add(Encoding.UTF8.GetString(member));
            }

            list.Add(new SetSnapshot(slot.Name, [.. members]));
        }

        return list;
    }

    /// <summary>Names of the keys of one type (management wildcards match against them).</summary>
    public List<string> Names(MetricType type)
    {
        var list = new List<string>();
        switch (type)
        {
            case MetricType.Counter:
                foreach (var slot in _counters.Values)
                {
                    list.Add(slot.Name);
                }

                break;
            case MetricType.Timer:
                foreach (var slot in _timers.Values)
                {
                    list.Add(slot.Name);
                }

                break;
            case MetricType.Gauge:
                foreach (var slot in _gauges.Values)
                {
                    list.Add(slot.Name);
                }

                break;
            case MetricType.Set:
                foreach (var slot in _sets.Values)
                {
                    list.Add(slot.Name);
                }

                break;
        }

        return list;
    }

    /// <summary>Deletes one key of a type; true when it existed.</summary>
    public bool Delete(MetricType type, string name)
    {
        var key = Encoding.UTF8.GetBytes(name);
        return type switch
        {
            MetricType.Counter => _counters.Remove(key),
            MetricType.Timer => _timers.Remove(key),
            MetricType.Gauge => _gauges.Remove(key),
            MetricType.Set => _sets.Remove(key),
            _ => false,
        };
    }

    private static void RemoveAll<T>(Dictionary<byte[], T> map, List<byte[]>? keys)
    {
        if (keys is null)
        {
            return;
        }

        foreach (var key in keys)
        {
            map.Remove(key);
        }
    }

    private struct CounterSlot
    {
        public string Name;
        public double Value;
    }

    private struct TimerSlot
    {
        public string Name;
        public TimerValues? Values;
        public double Count;
    }

    private struct GaugeSlot
    {
        public string Name;
        public double Value;
        public int Ttl;
    }

    private struct SetSlot
    {
        public string Name;
        public HashSet<byte[]>? Members;
    }
}

/// <summary>The four Etsy metric families.</summary>
internal enum MetricType
{
    Counter,
    Timer,
    Gauge,
    Set,
}

/// <summary>A growable list of timer values that keeps its array across flushes (no regrowth in steady state).</summary>
internal sealed class TimerValues(int capacity)
{
    private double[] _items = new double[capacity];

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(double value)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = value;
    }

    public double[] ToArray() => _items.AsSpan(0, Count).ToArray();

    public void Clear() => Count = 0;
}

/// <summary>A metric name and a number.</summary>
internal readonly record struct NamedValue(string Name, double Value);

/// <summary>A timer's raw values for one interval and its sample-rate-weighted count (Etsy timer_counters).</summary>
internal sealed record TimerSnapshot(string Name, double[] Values, double Count);

/// <summary>A set's distinct members for one interval.</summary>
internal sealed record SetSnapshot(string Name, string[] Members);

/// <summary>What one shard held at a flush.</summary>
internal sealed record ShardSnapshot(NamedValue[] Counters, TimerSnapshot[] Timers, NamedValue[] Gauges, SetSnapshot[] Sets);
