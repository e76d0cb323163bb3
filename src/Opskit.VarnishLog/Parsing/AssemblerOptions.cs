namespace Opskit.VarnishLog.Parsing;

/// <summary>Limits and choices of a <see cref="TransactionAssembler"/>.</summary>
internal sealed record AssemblerOptions
{
    /// <summary>At most this many open requests (varnishlog <c>-L</c>); the oldest is dropped beyond.</summary>
    public int MaxPending { get; init; } = 10_000;

    /// <summary>An open request older than this is dropped (varnishlog <c>-T</c>).</summary>
    public TimeSpan PendingTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Header whose first address is the client (e.g. <c>X-Forwarded-For</c>); null for the peer address.</summary>
    public byte[]? ClientIpHeader { get; init; }

    /// <summary>Tags whose records the <c>-q</c> query needs; empty without a query.</summary>
    public Query.TagPatternSet CapturedTags { get; init; } = Query.TagPatternSet.None;

    /// <summary>Forces a format instead of detecting it.</summary>
    public LogFormat Format { get; init; } = LogFormat.Unknown;
}
