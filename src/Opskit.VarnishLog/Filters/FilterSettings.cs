namespace Opskit.VarnishLog.Filters;

/// <summary>
/// The original script's filters, under its names (as <c>-v name=value</c>) and as long options. A regex that starts
/// with <c>!</c> is negated. Null or empty means no filter.
/// </summary>
internal sealed record FilterSettings
{
    public string? ClientMatch { get; init; }

    public string? ReqMethod { get; init; }

    public string? UrlMatch { get; init; }

    public string? OnlyStatus { get; init; }

    public bool OnlyHits { get; init; }

    public bool OnlyMisses { get; init; }

    /// <summary>Milliseconds; 1 means 1000 as in the original.</summary>
    public double? OnlySlow { get; init; }

    public string? ReqHeadersMatch { get; init; }

    public string? RespHeadersMatch { get; init; }

    public bool ShowRequestHeaders { get; init; }

    public bool ShowResponseHeaders { get; init; }

    /// <summary>A <c>-q</c> VSL query.</summary>
    public string? Query { get; init; }
}
