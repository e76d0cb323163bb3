using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Opskit.Edge.Caching;

namespace Opskit.Benchmarks.Edge;

/// <summary>
/// The in-process part of a cache hit: normalize Accept-Encoding, build the key in a stack buffer, find the object
/// (alternate lookup by span, Vary check) and check its freshness. Socket and Kestrel costs are in bench/edge.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CacheHitBenchmarks
{
    private readonly HttpCache _cache = new(256L << 20);
    private readonly HeaderDictionary _headers = new() { ["Accept-Encoding"] = "gzip, deflate, br", ["Accept-Language"] = "en" };
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < 10_000; i++)
        {
            var path = $"/api/recommendations/{i}";
            _cache.Insert(new CachedObject
            {
                Key = CacheKey.Create(true, "news.example", path + "?lang=en"),
                Host = "news.example",
                PathAndQuery = path + "?lang=en",
                RouteId = "r",
                Status = 200,
                Headers = [new("Content-Type", new StringValues("application/json"))],
                Body = new byte[4096],
                Created = _now,
                FreshUntil = _now.AddMinutes(2),
                GraceUntil = _now.AddMinutes(2),
                KeepUntil = _now.AddMinutes(2),
            });
        }
    }

    [Benchmark]
    public bool Hit_lookup()
    {
        Span<char> key = stackalloc char[256];
        CacheKey.TryWrite(key, CacheKey.AcceptsGzip(_headers), "news.example", "/api/recommendations/4242", "?lang=en", out var length);
        var item = _cache.Lookup(key[..length], _headers);
        return item is not null && item.StateAt(_now) == CacheState.Fresh;
    }
}
