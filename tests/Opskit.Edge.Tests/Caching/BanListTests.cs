using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Opskit.Edge.Caching;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Caching;

/// <summary>Issue #18: BAN is a ban list checked at lookup and cleaned in the background, not a walk at ban time.</summary>
public sealed class BanListTests
{
    private static readonly HeaderDictionary NoHeaders = [];

    private static CachedObject Item(string host, string pathAndQuery) => new()
    {
        Key = CacheKey.Create(false, host, pathAndQuery),
        Host = host,
        PathAndQuery = pathAndQuery,
        RouteId = "r",
        Status = 200,
        Body = [1, 2, 3],
        FreshUntil = DateTimeOffset.MaxValue,
        GraceUntil = DateTimeOffset.MaxValue,
        KeepUntil = DateTimeOffset.MaxValue,
    };

    private static CachedObject? Find(HttpCache cache, string host, string pathAndQuery) => cache.Lookup(CacheKey.Create(false, host, pathAndQuery), NoHeaders);

    [Fact]
    public async Task A_ban_on_a_large_cache_walks_nothing_when_added_and_objects_go_at_lookup_and_in_the_background()
    {
        var cache = new HttpCache(1L << 40);
        for (var i = 0; i < 100_000; i++)
        {
            cache.Insert(Item("h", $"/{(i % 10 == 0 ? "old" : "new")}/{i}"));
        }

        var clock = Stopwatch.StartNew();
        cache.Ban("h", "/old/", null);
        var elapsed = clock.Elapsed;

        // Measured, not asserted (a loaded machine): the ban only links a list node.
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"ban took {elapsed}");
        Assert.Null(Find(cache, "h", "/old/0"));
        Assert.NotNull(Find(cache, "h", "/new/1"));
        await Eventually.AssertAsync(() => cache.Count == 90_000 && cache.BanCount == 0, TimeSpan.FromSeconds(120), "the lurker to remove the 10,000 banned objects and the ban");
        Assert.NotNull(Find(cache, "h", "/new/99999"));
    }

    [Fact]
    public void A_ban_applies_to_its_host_and_to_objects_stored_before_it_only()
    {
        var cache = new HttpCache(1L << 30);
        cache.Insert(Item("a", "/x?1"));
        cache.Insert(Item("b", "/x?1"));
        var before = cache.BanSequenceNow;
        cache.Ban("a", null, new Regex("^/x", RegexOptions.NonBacktracking));
        cache.Insert(Item("a", "/x?2"));

        Assert.Null(Find(cache, "a", "/x?1"));
        Assert.NotNull(Find(cache, "b", "/x?1"));
        Assert.NotNull(Find(cache, "a", "/x?2"));

        // A fetch that started before the ban brings an object the ban voids: it is not stored.
        Assert.False(cache.Insert(Item("a", "/x?3"), before));
        Assert.Null(Find(cache, "a", "/x?3"));
    }
}
