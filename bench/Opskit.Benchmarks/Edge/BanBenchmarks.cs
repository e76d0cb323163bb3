using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.AspNetCore.Http;
using Opskit.Edge.Caching;

namespace Opskit.Benchmarks.Edge;

/// <summary>
/// Issue #18's ban target on a cache of 1M objects, 100k of them matching: how long <c>Ban</c> takes (lazy: no walk),
/// and 1M lookups of the other objects with no ban (<see cref="LookupsIdle"/>) against the same lookups right after a
/// ban while the lurker walks the cache (<see cref="LookupsDuringLurk"/>). Each iteration gets a fresh cache.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, warmupCount: 1, iterationCount: 8)]
[MedianColumn]
public class BanBenchmarks
{
    private const int Objects = 1_000_000;
    private static readonly HeaderDictionary NoHeaders = [];
    private readonly string[] _kept = new string[Objects - (Objects / 10)];
    private HttpCache _cache = null!;

    [IterationSetup]
    public void Fill()
    {
        _cache = new HttpCache(1L << 40);
        var kept = 0;
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Objects; i++)
        {
            var path = i % 10 == 0 ? $"/old/{i}" : $"/new/{i}";
            var key = CacheKey.Create(false, "h", path);
            if (i % 10 != 0)
            {
                _kept[kept++] = key;
            }

            _cache.Insert(new CachedObject
            {
                Key = key, Host = "h", PathAndQuery = path, RouteId = "r", Status = 200, Body = [],
                Created = now, FreshUntil = now.AddHours(1), GraceUntil = now.AddHours(1), KeepUntil = now.AddHours(1),
            });
        }
    }

    [Benchmark]
    public long Ban() => _cache.Ban("h", "/old/", null);

    [Benchmark]
    public int LookupsIdle() => Lookups();

    [Benchmark]
    public int LookupsDuringLurk()
    {
        _cache.Ban("h", "/old/", null);
        return Lookups();
    }

    private int Lookups()
    {
        var found = 0;
        foreach (var key in _kept)
        {
            found += _cache.Lookup(key, NoHeaders) is null ? 0 : 1;
        }

        return found;
    }
}
