namespace Opskit.Edge.Caching;

/// <summary>Cache defaults, as Varnish 7 ships them (<c>default_ttl</c>, <c>default_grace</c>, <c>default_keep</c>).</summary>
/// <param name="DefaultTtl">TTL when the response says nothing (Varnish <c>default_ttl</c>, 120 s).</param>
/// <param name="DefaultGrace">Serve-stale window while one background fetch refreshes (Varnish <c>default_grace</c>, 10 s).</param>
/// <param name="DefaultKeep">Extra time a stale object is kept for stale-if-error (Varnish <c>default_keep</c>, 0 s).</param>
/// <param name="HitForMissTtl">How long an uncacheable answer marks its key as "do not wait for others" (builtin VCL: 120 s).</param>
/// <param name="TargetedFields">
/// Targeted cache-control fields this cache obeys instead of <c>Cache-Control</c> (RFC 9213), most specific first: the
/// first valid one present wins. Null for <see cref="DefaultTargetedFields"/>.
/// </param>
public sealed record CacheDefaults(TimeSpan DefaultTtl, TimeSpan DefaultGrace, TimeSpan DefaultKeep, TimeSpan HitForMissTtl, IReadOnlyList<string>? TargetedFields = null)
{
    /// <summary>Opskit's own targeted field, then the one every CDN obeys.</summary>
    public static IReadOnlyList<string> DefaultTargetedFields { get; } = ["Opskit-Cache-Control", "CDN-Cache-Control"];

    /// <summary>The targeted fields in effect.</summary>
    public IReadOnlyList<string> EffectiveTargetedFields => TargetedFields ?? DefaultTargetedFields;

    /// <summary>Varnish 7 defaults.</summary>
    public static CacheDefaults Varnish { get; } = new(TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(10), TimeSpan.Zero, TimeSpan.FromSeconds(120));
}
