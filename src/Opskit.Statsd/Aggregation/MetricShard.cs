using System.Runtime.CompilerServices;
using System.Text;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// One shard of the aggregation state, written by exactly one thread (its <see cref="ShardWorker"/>, or the
/// caller in benchmarks and tests). Keys are UTF-8 bytes in a <see cref="KeyMap{TSlot}"/> looked up with the hash the
/// receive loop computed, so a key seen before costs a probe and a compare, no allocation; its .NET string is made
/// once, on first sight.
/// Mirrors Etsy's <c>counters</c>, <c>timers</c>/<c>timer_counters</c>, <c>gauges</c>/<c>gaugesTTL</c> and <c>sets</c>.
/// </summary>
internal sealed class MetricShard
{
    private readonly KeyMap<CounterSlot> _counters = new();
    private readonly KeyMap<TimerSlot> _timers = new();
    private readonly KeyMap<GaugeSlot> _gauges = new();
    private readonly KeyMap<SetSlot> _sets = new();

    private readonly KeySequence _sequence;

    public MetricShard(KeySequence? sequence = null)
    {
        _sequence = sequence ?? new KeySequence();
    }

    /// <summary>Current settings (delete options, gauge TTL); replaced on reload.</summary>
    public AggregationSettings Settings { get; set; } = new();

    /// <summary>
    /// Called when an update would make a counter or gauge infinite (1e308 + 1e308): the update is dropped and
    /// counted as a bad line (issue 21: no Infinity reaches a backend).
    /// </summary>
    public Action? Overflowed { get; set; }

    /// <summary>Number of keys held (all types), for memory accounting.</summary>
    public int KeyCount => _counters.Count + _timers.Count + _gauges.Count + _sets.Count;

    public void AddCounter(ReadOnlySpan<byte> key, double increment, long arrival = 0) => AddCounter(new HashedKey(key), increment, arrival);

    public void AddTimer(ReadOnlySpan<byte> key, double value, double countIncrement, long arrival = 0) =>
        AddTimer(new HashedKey(key), value, countIncrement, arrival);

    public void SetGauge(ReadOnlySpan<byte> key, double value, bool signed, long arrival = 0) => SetGauge(new HashedKey(key), value, signed, arrival);

    public void AddSetMember(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, long arrival = 0) =>
        AddSetMember(new HashedKey(key), member, arrival);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddCounter(HashedKey key, double increment, long arrival = 0)
    {
        ref var slot = ref _counters.GetValueRefOrAddDefault(key, out var exists);
        if (!exists)
        {
            slot.Name = Encoding.UTF8.GetString(key.Bytes);
            slot.Order = arrival != 0 ? arrival : _sequence.Next();
        }

        var sum = slot.Value + increment;
        if (!double.IsFinite(sum))
        {
            Overflowed?.Invoke();
            return;
        }

        slot.Value = sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddTimer(HashedKey key, double value, double countIncrement, long arrival = 0)
    {
        ref var slot = ref _timers.GetValueRefOrAddDefault(key, out var exists);
        if (!exists)
        {
            slot.Name = Encoding.UTF8.GetString(key.Bytes);
            slot.Order = arrival != 0 ? arrival : _sequence.Next();
            slot.Values = new TimerValues(4);
        }

        slot.Values!.Add(value);
        slot.Count += countIncrement;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetGauge(HashedKey key, double value, bool signed, long arrival = 0)
    {
        ref var slot = ref _gauges.GetValueRefOrAddDefault(key, out var exists);
        if (!exists)
        {
            slot.Name = Encoding.UTF8.GetString(key.Bytes);
            slot.Order = arrival != 0 ? arrival : _sequence.Next();
        }

        var settings = Settings;
        if (settings.DeleteGauges)
        {
            slot.Ttl = settings.GaugesMaxTtl;
        }

        // Etsy: `if (gauges[key] && fields[0].match(/^[-+]/)) += else =` - a delta on a gauge that is
        // missing, 0 or NaN sets it.
        var truthy = exists && slot.Value != 0 && !double.IsNaN(slot.Value);
        var result = truthy && signed ? slot.Value + value : value;
        if (!double.IsFinite(result))
        {
            Overflowed?.Invoke();
            return;
        }

        slot.Value = result;
    }

    public void AddSetMember(HashedKey key, ReadOnlySpan<byte> member, long arrival = 0)
    {
        ref var slot = ref _sets.GetValueRefOrAddDefault(key, out var exists);
        if (!exists)
        {
            slot.Name = Encoding.UTF8.GetString(key.Bytes);
            slot.Order = arrival != 0 ? arrival : _sequence.Next();
            slot.Members = new HashSet<byte[]>(Utf8KeyComparer.Instance);
            slot.MemberLookup = slot.Members.GetAlternateLookup<ReadOnlySpan<byte>>();
        }

        // Add creates the member's byte[] only when it is new.
        slot.MemberLookup.Add(member);
    }

    /// <summary>
    /// Takes this interval's values and resets the shard as Etsy's <c>clear_metrics</c> does after a flush:
    /// counters to 0 (or deleted), timers emptied (or deleted), sets emptied (or deleted), gauges kept unless
    /// their TTL runs out under <c>deleteGauges</c>. The snapshot owns what it holds; nothing is shared.
    /// </summary>
    public ShardSnapshot TakeSnapshot()
    {
        // By index, not by key: looking each key up again to reset it hashed the whole keyspace a second time and
        // was a third of a 1M-key flush's CPU (issue 21, perf profile of the keyspace bench).
        var settings = Settings;
        var count = _counters.Count;
        var counters = new NamedValue[count];
        var counterOrder = new long[count];
        bool[]? removed = null;
        var removedCount = 0;
        for (var i = 0; i < count; i++)
        {
            ref var slot = ref _counters.SlotAt(i);
            counterOrder[i] = slot.Order;
            counters[i] = new NamedValue(slot.Name, slot.Value);
            if (settings.DeleteCounters && !IsInternalCounterName(slot.Name))
            {
                (removed ??= new bool[count])[i] = true;
                removedCount++;
            }
            else
            {
                slot.Value = 0;
            }
        }

        if (removed is not null)
        {
            _counters.RemoveFlagged(removed, removedCount);
        }

        count = _timers.Count;
        var timers = new TimerSnapshot[count];
        var timerOrder = new long[count];
        for (var i = 0; i < count; i++)
        {
            ref var slot = ref _timers.SlotAt(i);
            var values = slot.Values!;
            timerOrder[i] = slot.Order;
            timers[i] = new TimerSnapshot(slot.Name, values.ToArray(), slot.Count);
            if (!settings.DeleteTimers)
            {
                values.Clear();
                slot.Count = 0;
            }
        }

        if (settings.DeleteTimers && count > 0)
        {
            _timers.RemoveFlagged(AllFlagged(count), count);
        }

        count = _gauges.Count;
        var gauges = new NamedValue[count];
        var gaugeOrder = new long[count];
        removed = null;
        removedCount = 0;
        for (var i = 0; i < count; i++)
        {
            ref var slot = ref _gauges.SlotAt(i);
            gaugeOrder[i] = slot.Order;
            gauges[i] = new NamedValue(slot.Name, slot.Value);
            if (!settings.DeleteGauges)
            {
                slot.Ttl = 0;
                continue;
            }

            // Gauges set before deleteGauges was on carry no TTL (Etsy keeps them in gaugesTTL only on receipt).
            if (slot.Ttl == 0)
            {
                continue;
            }

            slot.Ttl--;
            if (slot.Ttl < 1)
            {
                (removed ??= new bool[count])[i] = true;
                removedCount++;
            }
        }

        if (removed is not null)
        {
            _gauges.RemoveFlagged(removed, removedCount);
        }

        count = _sets.Count;
        var sets = new SetSnapshot[count];
        var setOrder = new long[count];
        for (var i = 0; i < count; i++)
        {
            ref var slot = ref _sets.SlotAt(i);
            var members = new string[slot.Members!.Count];
            var m = 0;
            foreach (var member in slot.Members)
            {
                members[m++] = Encoding.UTF8.GetString(member);
            }

            setOrder[i] = slot.Order;
            sets[i] = new SetSnapshot(slot.Name, members);
            if (!settings.DeleteSets)
            {
                slot.Members.Clear();
            }
        }

        if (settings.DeleteSets && count > 0)
        {
            _sets.RemoveFlagged(AllFlagged(count), count);
        }

        return new ShardSnapshot(counters, timers, gauges, sets)
        {
            CounterOrder = counterOrder,
            TimerOrder = timerOrder,
            GaugeOrder = gaugeOrder,
            SetOrder = setOrder,
        };
    }

    private static bool[] AllFlagged(int count)
    {
        var flags = new bool[count];
        Array.Fill(flags, true);
        return flags;
    }

    /// <summary>Current values without resetting anything (management commands); timers unsorted, in arrival order.</summary>
    public ShardSnapshot Peek()
    {
        var counters = new List<NamedValue>(_counters.Count);
        var counterOrder = new List<long>(_counters.Count);
        foreach (var (_, slot) in _counters)
        {
            counters.Add(new NamedValue(slot.Name, slot.Value));
            counterOrder.Add(slot.Order);
        }

        var timers = new List<TimerSnapshot>(_timers.Count);
        var timerOrder = new List<long>(_timers.Count);
        foreach (var (_, slot) in _timers)
        {
            timers.Add(new TimerSnapshot(slot.Name, slot.Values!.ToArray(), slot.Count));
            timerOrder.Add(slot.Order);
        }

        var gauges = new List<NamedValue>(_gauges.Count);
        var gaugeOrder = new List<long>(_gauges.Count);
        foreach (var (_, slot) in _gauges)
        {
            gauges.Add(new NamedValue(slot.Name, slot.Value));
            gaugeOrder.Add(slot.Order);
        }

        var sets = new List<SetSnapshot>(_sets.Count);
        var setOrder = new List<long>(_sets.Count);
        foreach (var (_, slot) in _sets)
        {
            var members = new List<string>(slot.Members!.Count);
            foreach (var member in slot.Members)
            {
                members.Add(Encoding.UTF8.GetString(member));
            }

            sets.Add(new SetSnapshot(slot.Name, [.. members]));
            setOrder.Add(slot.Order);
        }

        return new ShardSnapshot([.. counters], [.. timers], [.. gauges], [.. sets])
        {
            CounterOrder = [.. counterOrder],
            TimerOrder = [.. timerOrder],
            GaugeOrder = [.. gaugeOrder],
            SetOrder = [.. setOrder],
        };
    }

    /// <summary>Empties timer values in place, keeping every key and array (benchmarks: steady state without a full snapshot).</summary>
    internal int ResetIntervalValues()
    {
        foreach (var (_, slot) in _timers)
        {
            slot.Values!.Clear();
        }

        return KeyCount;
    }

    /// <summary>Etsy keeps these at 0 under deleteCounters (it tests <c>indexOf</c>, so any key containing them).</summary>
    internal static bool IsInternalCounterName(string name) =>
        name.Contains("packets_received", StringComparison.Ordinal)
        || name.Contains("metrics_received", StringComparison.Ordinal)
        || name.Contains("bad_lines_seen", StringComparison.Ordinal);

    /// <summary>Names of the keys of one type (management wildcards match against them).</summary>
    public List<string> Names(MetricType type)
    {
        var list = new List<string>();
        switch (type)
        {
            case MetricType.Counter:
                foreach (var (_, slot) in _counters)
                {
                    list.Add(slot.Name);
                }

                break;
            case MetricType.Timer:
                foreach (var (_, slot) in _timers)
                {
                    list.Add(slot.Name);
                }

                break;
            case MetricType.Gauge:
                foreach (var (_, slot) in _gauges)
                {
                    list.Add(slot.Name);
                }

                break;
            case MetricType.Set:
                foreach (var (_, slot) in _sets)
                {
                    list.Add(slot.Name);
                }

                break;
        }

        return list;
    }

    /// <summary>
    /// Management <c>del*</c>: in one pass over the keys of <paramref name="type"/>, asks <paramref name="match"/>
    /// about each name and removes those it claims (a bucket index ≥ 0). Checks <paramref name="cancellationToken"/>
    /// as it goes and removes nothing when cancelled.
    /// </summary>
    public List<DeletedKey> DeleteMatching(MetricType type, Func<string, int> match, CancellationToken cancellationToken) => type switch
    {
        MetricType.Counter => DeleteMatching(_counters, static s => (s.Name, s.Order), match, cancellationToken),
        MetricType.Timer => DeleteMatching(_timers, static s => (s.Name, s.Order), match, cancellationToken),
        MetricType.Gauge => DeleteMatching(_gauges, static s => (s.Name, s.Order), match, cancellationToken),
        _ => DeleteMatching(_sets, static s => (s.Name, s.Order), match, cancellationToken),
    };

    private static List<DeletedKey> DeleteMatching<TSlot>(
        KeyMap<TSlot> map, Func<TSlot, (string Name, long Order)> describe, Func<string, int> match, CancellationToken cancellationToken)
    {
        var deleted = new List<DeletedKey>();
        var removed = new bool[map.Count];
        for (var i = 0; i < map.Count; i++)
        {
            if ((i & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var (name, order) = describe(map.SlotAt(i));
            var bucket = match(name);
            if (bucket >= 0)
            {
                removed[i] = true;
                deleted.Add(new DeletedKey(bucket, order, name));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        map.RemoveFlagged(removed, deleted.Count);
        return deleted;
    }

    /// <summary>Deletes one key of a type; true when it existed.</summary>
    public bool Delete(MetricType type, string name)
    {
        List<byte[]> key = [Encoding.UTF8.GetBytes(name)];
        switch (type)
        {
            case MetricType.Counter when _counters.ContainsKey(key[0]):
                _counters.RemoveAll(key);
                return true;
            case MetricType.Timer when _timers.ContainsKey(key[0]):
                _timers.RemoveAll(key);
                return true;
            case MetricType.Gauge when _gauges.ContainsKey(key[0]):
                _gauges.RemoveAll(key);
                return true;
            case MetricType.Set when _sets.ContainsKey(key[0]):
                _sets.RemoveAll(key);
                return true;
            default:
                return false;
        }
    }

    private struct CounterSlot
    {
        public string Name;
        public long Order;
        public double Value;
    }

    private struct TimerSlot
    {
        public string Name;
        public long Order;
        public TimerValues? Values;
        public double Count;
    }

    private struct GaugeSlot
    {
        public string Name;
        public long Order;
        public double Value;
        public int Ttl;
    }

    private struct SetSlot
    {
        public string Name;
        public long Order;
        public HashSet<byte[]>? Members;

        /// <summary>Span lookup into <see cref="Members"/>, made once per key (Clear keeps the set, so it stays valid).</summary>
        public HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> MemberLookup;
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

/// <summary>A key removed by a management <c>del*</c> command: the command's bucket that claimed it, its creation order, its name.</summary>
internal readonly record struct DeletedKey(int Bucket, long Order, string Name);

/// <summary>A timer's raw values for one interval and its sample-rate-weighted count (Etsy timer_counters).</summary>
internal sealed record TimerSnapshot(string Name, double[] Values, double Count);

/// <summary>A set's distinct members for one interval.</summary>
internal sealed record SetSnapshot(string Name, string[] Members);

/// <summary>
/// What one shard held at a flush. The order arrays hold each key's creation sequence (shared by all shards of an
/// aggregator) so that merged output keeps JavaScript's insertion order; null means "in list order".
/// </summary>
internal sealed record ShardSnapshot(NamedValue[] Counters, TimerSnapshot[] Timers, NamedValue[] Gauges, SetSnapshot[] Sets)
{
    public long[]? CounterOrder { get; init; }

    public long[]? TimerOrder { get; init; }

    public long[]? GaugeOrder { get; init; }

    public long[]? SetOrder { get; init; }
}

/// <summary>
/// Arrival stamps that order keys across shards like a JavaScript object (creation order). Receive loops take
/// one epoch per receive batch (one interlocked operation per batch, not per line) and number the batch's
/// records within it; the shard stores the stamp of a key's first record.
/// </summary>
internal sealed class KeySequence
{
    public const int EpochShift = 24;
    private long _next;

    /// <summary>A stamp for single-threaded use (tests, benchmarks).</summary>
    public long Next() => Interlocked.Increment(ref _next) << EpochShift;

    /// <summary>The base stamp of a new receive batch.</summary>
    public long NextEpoch() => Interlocked.Increment(ref _next) << EpochShift;
}
