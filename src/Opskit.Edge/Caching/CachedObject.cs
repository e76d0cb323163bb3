using Microsoft.Extensions.Primitives;

namespace Opskit.Edge.Caching;

/// <summary>
/// One stored response (or a hit-for-miss marker): status, headers ready to copy to the client, the body, and its
/// lifetime on the cache's clock. Immutable except for <see cref="LastUsedTicks"/>, the eviction hint.
/// </summary>
internal sealed class CachedObject
{
    public required string Key { get; init; }

    public required string Host { get; init; }

    public required string PathAndQuery { get; init; }

    public required string RouteId { get; init; }

    public int Status { get; init; }

    /// <summary>End-to-end response headers (hop-by-hop, Age and Content-Length removed), pre-built as StringValues.</summary>
    public KeyValuePair<string, StringValues>[] Headers { get; init; } = [];

    public byte[] Body { get; init; } = [];

    /// <summary>The response's ETag, for answering If-None-Match with 304.</summary>
    public string? ETag { get; init; }

    /// <summary>The response's Last-Modified, for answering If-Modified-Since with 304.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>Request headers named by the response's Vary (other than Accept-Encoding, which is in the key).</summary>
    public KeyValuePair<string, string>[] Vary { get; init; } = [];

    /// <summary>True when the body has a Content-Encoding: then only clients of the same gzip preference may get it.</summary>
    public bool Encoded { get; init; }

    /// <summary>An uncacheable answer: requests for this key go to the backend without waiting for each other.</summary>
    public bool HitForMiss { get; init; }

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset FreshUntil { get; init; }

    public DateTimeOffset GraceUntil { get; init; }

    public DateTimeOffset KeepUntil { get; init; }

    /// <summary>Age of the response when it arrived (its Age header), added to the age we report.</summary>
    public TimeSpan InitialAge { get; init; }

    public long Size => Body.Length + 256 + (Headers.Length * 64);

    public long LastUsedTicks;

    /// <summary>The newest ban this object was checked against (or stored after): only newer bans can void it.</summary>
    public long BanSequence;

    /// <summary>This object with the body that arrived after its headers (a streamed miss, once complete).</summary>
    public CachedObject WithBody(byte[] body) => new()
    {
        Key = Key,
        Host = Host,
        PathAndQuery = PathAndQuery,
        RouteId = RouteId,
        Status = Status,
        Headers = Headers,
        Body = body,
        ETag = ETag,
        LastModified = LastModified,
        Vary = Vary,
        Encoded = Encoded,
        HitForMiss = HitForMiss,
        Created = Created,
        FreshUntil = FreshUntil,
        GraceUntil = GraceUntil,
        KeepUntil = KeepUntil,
        InitialAge = InitialAge,
        LastUsedTicks = LastUsedTicks,
        BanSequence = BanSequence,
    };

    /// <summary>The hit-for-miss marker stored for an uncacheable answer: its lifetime without its body.</summary>
    public CachedObject AsMarker() => new()
    {
        Key = Key,
        Host = Host,
        PathAndQuery = PathAndQuery,
        RouteId = RouteId,
        Status = Status,
        Vary = Vary,
        HitForMiss = true,
        Created = Created,
        FreshUntil = FreshUntil,
        GraceUntil = FreshUntil,
        KeepUntil = FreshUntil,
        LastUsedTicks = LastUsedTicks,
    };

    public CacheState StateAt(DateTimeOffset now) =>
        now < FreshUntil ? CacheState.Fresh
        : now < GraceUntil ? CacheState.Grace
        : now < KeepUntil ? CacheState.Kept
        : CacheState.Expired;
}

/// <summary>Where an object is in its life.</summary>
internal enum CacheState
{
    Fresh,
    Grace,
    Kept,
    Expired,
}
