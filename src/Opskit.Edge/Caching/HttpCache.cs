using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Opskit.Edge.Caching;

/// <summary>
/// The object store: key → variants (one per set of Vary values). Lookups are lock-free and allocation-free
/// (alternate lookup by <see cref="ReadOnlySpan{T}"/> key); inserts, purges, bans and evictions take one lock.
/// Evicts least-recently-used objects (approximate: by a last-used stamp) when the size limit is passed.
/// <c>BAN</c> is lazy, as in Varnish: a ban is added to a list in O(1); a lookup checks an object against the bans
/// newer than it (none in the common case: one comparison), and a background walk (the ban lurker) checks every
/// object in small batches, removes the banned ones, then drops the bans every object has been checked against.
/// </summary>
internal sealed class HttpCache
{
    private static readonly CachedObject[] NoVariants = [];

    private readonly ConcurrentDictionary<string, CachedObject[]> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CachedObject[]>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly Lock _writeLock = new();
    private long _sizeLimit;
    private readonly Lock _banLock = new();
    private long _size;
    private long _evictions;
    private Ban? _bans;
    private long _banSequence;
    private long _retiredUpTo;
    private int _lurking;

    public HttpCache(long sizeLimitBytes)
    {
        _sizeLimit = sizeLimitBytes;
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public long Size => Volatile.Read(ref _size);

    /// <summary>The size limit in bytes; lowering it (a reload) evicts down to 90 % of the new limit at once.</summary>
    public long SizeLimit
    {
        get => Volatile.Read(ref _sizeLimit);
        set
        {
            lock (_writeLock)
            {
                Volatile.Write(ref _sizeLimit, value);
                if (Volatile.Read(ref _size) > value)
                {
                    EvictLocked(value * 9 / 10);
                }
            }
        }
    }

    public long Evictions => Volatile.Read(ref _evictions);

    public int Count => _entries.Count;

    /// <summary>Bans not yet checked against every object (the ban list's length).</summary>
    public int BanCount
    {
        get
        {
            var count = 0;
            for (var ban = Volatile.Read(ref _bans); ban is not null; ban = ban.Older)
            {
                count++;
            }

            return count;
        }
    }

    /// <summary>Objects to check per batch of the ban lurker, and the pause between batches (Varnish: 1000 and 10 ms).</summary>
    internal const int LurkerBatch = 1000;

    private static readonly TimeSpan LurkerPause = TimeSpan.FromMilliseconds(10);

    /// <summary>The variant of <paramref name="key"/> matching the request's Vary headers, or null.</summary>
    public CachedObject? Lookup(ReadOnlySpan<char> key, IHeaderDictionary requestHeaders)
    {
        if (!_bySpan.TryGetValue(key, out var variants))
        {
            return null;
        }

        foreach (var variant in variants)
        {
            if (VaryMatches(variant, requestHeaders))
            {
                if (IsBanned(variant))
                {
                    Remove(variant);
                    return null;
                }

                return variant;
            }
        }

        return null;
    }

    /// <summary>
    /// <see cref="Lookup"/>, then, on a miss, the object stored for the other gzip preference when its body is not
    /// encoded: an identity body suits every client (a <c>Range</c> request from a browser says
    /// <c>Accept-Encoding: identity</c> and must still find the object a gzip-accepting request stored).
    /// </summary>
    public CachedObject? LookupAnyEncoding(Span<char> key, IHeaderDictionary requestHeaders)
    {
        var item = Lookup(key, requestHeaders);
        if (item is not null || key.Length < 2)
        {
            return item;
        }

        var original = key[1];
        key[1] = original == 'g' ? '-' : 'g';
        var other = Lookup(key, requestHeaders);
        key[1] = original;
        return other is { Encoded: false } ? other : null;
    }

    /// <summary>The number of the newest ban: a fetch notes it when it starts, so bans during the fetch apply to its object.</summary>
    public long BanSequenceNow => Volatile.Read(ref _banSequence);

    /// <summary>
    /// Stores (or replaces the matching variant of) an object; evicts when over the size limit. An object fetched
    /// from before a ban (<paramref name="fetchedAsOf"/>, from <see cref="BanSequenceNow"/>) that the ban matches is
    /// not stored.
    /// </summary>
    public bool Insert(CachedObject item, long? fetchedAsOf = null)
    {
        if (item.Size > SizeLimit / 2)
        {
            return false; // One object may not flush half the cache.
        }

        lock (_writeLock)
        {
            // Under the write lock, so the lurker's walk (which notes the ban number under it) sees this object.
            item.BanSequence = fetchedAsOf ?? Volatile.Read(ref _banSequence);

            // Fetched before bans the lurker has already retired: they cannot be checked any more, so not stored
            // (rare: needs a whole walk during one fetch; the client still got its answer).
            if (item.BanSequence < _retiredUpTo || IsBanned(item))
            {
                return false;
            }

            var variants = _entries.TryGetValue(item.Key, out var existing) ? existing : NoVariants;
            var next = new List<CachedObject>(variants.Length + 1) { item };
            foreach (var variant in variants)
            {
                if (SameVary(variant, item))
                {
                    Interlocked.Add(ref _size, -variant.Size);
                }
                else
                {
                    next.Add(variant);
                }
            }

            _entries[item.Key] = [.. next];
            Interlocked.Add(ref _size, item.Size);
            if (Volatile.Read(ref _size) > _sizeLimit)
            {
                EvictLocked(_sizeLimit * 9 / 10);
            }
        }

        return true;
    }

    /// <summary>Removes one exact object (all its variants); returns how many objects went.</summary>
    public int Purge(string key)
    {
        lock (_writeLock)
        {
            return _entries.TryRemove(key, out var variants) ? Account(variants) : 0;
        }
    }

    /// <summary>
    /// Invalidates every object stored before now whose URL (path and query) starts with <paramref name="prefix"/> and
    /// matches <paramref name="pattern"/> and, when given, whose host is <paramref name="host"/>. Returns at once with
    /// the ban's number; the objects go at their next lookup or when the lurker reaches them.
    /// </summary>
    public long Ban(string? host, string? prefix, Regex? pattern)
    {
        long sequence;
        lock (_banLock)
        {
            sequence = _banSequence + 1;
            Volatile.Write(ref _bans, new Ban(sequence, host, prefix, pattern, _bans));
            Volatile.Write(ref _banSequence, sequence);
        }

        if (Interlocked.Exchange(ref _lurking, 1) == 0)
        {
            _ = Task.Run(LurkAsync);
        }

        return sequence;
    }

    /// <summary>True when a ban newer than the object's last check matches it; otherwise records the check.</summary>
    private bool IsBanned(CachedObject item)
    {
        var bans = Volatile.Read(ref _bans);
        var checkedUpTo = Volatile.Read(ref item.BanSequence);
        if (bans is null || bans.Sequence <= checkedUpTo)
        {
            return false;
        }

        for (var ban = bans; ban is not null && ban.Sequence > checkedUpTo; ban = ban.Older)
        {
            if (ban.Matches(item))
            {
                return true;
            }
        }

        Volatile.Write(ref item.BanSequence, bans.Sequence);
        return false;
    }

    /// <summary>
    /// The ban lurker: walks every object in batches with a pause between them (lookups keep their rate), removes the
    /// banned ones, then drops the bans that every object has now been checked against; again while bans remain.
    /// </summary>
    private async Task LurkAsync()
    {
        try
        {
            while (true)
            {
                long head;
                lock (_writeLock)
                {
                    head = Volatile.Read(ref _banSequence);
                }

                var inBatch = 0;
                foreach (var (_, variants) in _entries)
                {
                    foreach (var variant in variants)
                    {
                        if (IsBanned(variant))
                        {
                            Remove(variant);
                        }
                    }

                    if (++inBatch == LurkerBatch)
                    {
                        inBatch = 0;
                        await Task.Delay(LurkerPause).ConfigureAwait(false);
                    }
                }

                // Objects stored during the walk carry a sequence at or above the one read before it: every object now
                // has been checked against the bans up to head, so those bans have nothing left to do.
                lock (_writeLock)
                {
                    lock (_banLock)
                    {
                        Volatile.Write(ref _bans, _bans?.Without(head));
                        _retiredUpTo = head;
                        if (_bans is null)
                        {
                            Volatile.Write(ref _lurking, 0);
                            return;
                        }
                    }
                }
            }
        }
        catch (Exception) when (ResetLurker())
        {
            throw; // Not reached: ResetLurker returns false, so the exception keeps its stack.
        }
    }

    private bool ResetLurker()
    {
        Volatile.Write(ref _lurking, 0);
        return false;
    }

    /// <summary>Drops a hit-for-miss marker or an expired object (called when a fetch replaces nothing).</summary>
    public void Remove(CachedObject item)
    {
        lock (_writeLock)
        {
            if (!_entries.TryGetValue(item.Key, out var variants))
            {
                return;
            }

            var next = Array.FindAll(variants, v => !ReferenceEquals(v, item));
            if (next.Length == variants.Length)
            {
                return;
            }

            Interlocked.Add(ref _size, -item.Size);
            if (next.Length == 0)
            {
                _entries.TryRemove(item.Key, out _);
            }
            else
            {
                _entries[item.Key] = next;
            }
        }
    }

    private int Account(CachedObject[] variants)
    {
        foreach (var variant in variants)
        {
            Interlocked.Add(ref _size, -variant.Size);
        }

        return variants.Length;
    }

    private void EvictLocked(long target)
    {
        var all = new List<CachedObject>(_entries.Count);
        foreach (var (_, variants) in _entries)
        {
            all.AddRange(variants);
        }

        all.Sort(static (a, b) => a.LastUsedTicks.CompareTo(b.LastUsedTicks));
        foreach (var victim in all)
        {
            if (Volatile.Read(ref _size) <= target)
            {
                break;
            }

            if (_entries.TryGetValue(victim.Key, out var variants))
            {
                var next = Array.FindAll(variants, v => !ReferenceEquals(v, victim));
                if (next.Length == 0)
                {
                    _entries.TryRemove(victim.Key, out _);
                }
                else
                {
                    _entries[victim.Key] = next;
                }

                Interlocked.Add(ref _size, -victim.Size);
                Interlocked.Increment(ref _evictions);
            }
        }
    }

    /// <summary>True when the request carries the header values the object was fetched with (its Vary headers).</summary>
    public static bool VaryMatches(CachedObject item, IHeaderDictionary requestHeaders)
    {
        foreach (var (name, value) in item.Vary)
        {
            if (!string.Equals(UpstreamRequestValue(requestHeaders, name), value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameVary(CachedObject a, CachedObject b)
    {
        if (a.Vary.Length != b.Vary.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Vary.Length; i++)
        {
            if (!string.Equals(a.Vary[i].Key, b.Vary[i].Key, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(a.Vary[i].Value, b.Vary[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The value of a request header as it is sent upstream on a cacheable fetch: Cookie and Authorization are never
    /// sent on those (the generic answer is for everyone), so a Vary on them compares as empty.
    /// </summary>
    public static string UpstreamRequestValue(IHeaderDictionary headers, string name) =>
        string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase)
            ? string.Empty
            : VaryValue.Normalize(headers[name]);
}
