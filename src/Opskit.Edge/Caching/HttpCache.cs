using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Opskit.Edge.Caching;

/// <summary>
/// The object store: key → variants (one per set of Vary values). Lookups are lock-free and allocation-free
/// (alternate lookup by <see cref="ReadOnlySpan{T}"/> key); inserts, purges, bans and evictions take one lock.
/// Evicts least-recently-used objects (approximate: by a last-used stamp) when the size limit is passed.
/// </summary>
internal sealed class HttpCache
{
    private static readonly CachedObject[] NoVariants = [];

    private readonly ConcurrentDictionary<string, CachedObject[]> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CachedObject[]>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly Lock _writeLock = new();
    private readonly long _sizeLimit;
    private long _size;
    private long _evictions;

    public HttpCache(long sizeLimitBytes)
    {
        _sizeLimit = sizeLimitBytes;
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public long Size => Volatile.Read(ref _size);

    public long Evictions => Volatile.Read(ref _evictions);

    public int Count => _entries.Count;

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

    /// <summary>Stores (or replaces the matching variant of) an object; evicts when over the size limit.</summary>
    public bool Insert(CachedObject item)
    {
        if (item.Size > _sizeLimit / 2)
        {
            return false; // One object may not flush half the cache.
        }

        lock (_writeLock)
        {
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

    /// <summary>Removes every object whose URL (path and query) matches and, when given, whose host is <paramref name="host"/>.</summary>
    public int Ban(string? host, string? prefix, Regex? pattern)
    {
        var removed = 0;
        lock (_writeLock)
        {
            foreach (var (key, variants) in _entries)
            {
                var first = variants[0];
                if (host is not null && !string.Equals(first.Host, host, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if ((prefix is null || first.PathAndQuery.StartsWith(prefix, StringComparison.Ordinal))
                    && (pattern is null || pattern.IsMatch(first.PathAndQuery)))
                {
                    if (_entries.TryRemove(key, out var gone))
                    {
                        removed += Account(gone);
                    }
                }
            }
        }

        return removed;
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
            : headers[name].ToString();
}
