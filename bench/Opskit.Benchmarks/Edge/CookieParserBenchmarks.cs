using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Primitives;
using Opskit.Edge.Rollout;

namespace Opskit.Benchmarks.Edge;

/// <summary>Finding the user id cookie in realistic Cookie headers, and the sticky bucket of the id.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class CookieParserBenchmarks
{
    private readonly StringValues _short = "userId=user-00012345";
    private readonly StringValues _typical = "_ga=GA1.2.1234567890.1700000000; consent=yes; theme=dark; _gid=GA1.2.987654321.1700000000; userId=user-00012345; session=abcdef0123456789";
    private readonly StringValues _split = new(["_ga=GA1.2.1234567890.1700000000; consent=yes", "theme=dark; userId=\"user-00012345\""]);
    private readonly byte[] _salt = "rollout-2026"u8.ToArray();
    private readonly byte[] _id = "user-00012345"u8.ToArray();

    [Benchmark]
    public int Short_header() => Find(_short);

    [Benchmark]
    public int Typical_browser_header() => Find(_typical);

    [Benchmark]
    public int Two_headers_quoted_value() => Find(_split);

    [Benchmark]
    public int Sticky_bucket() => RolloutBucket.Of(_salt, _id);

    private static int Find(StringValues headers) =>
        CookieParser.TryFind(headers, "userId", CookieParser.DefaultMaxValueLength, out var value) == CookieLookup.Found ? value.Length : -1;
}
