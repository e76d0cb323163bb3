using Opskit.VarnishLog.Filters;
using Opskit.VarnishLog.Output;

namespace Opskit.VarnishLog;

/// <summary>Everything one <c>opskit vlogdump</c> run was asked to do.</summary>
internal sealed record VlogdumpSettings
{
    /// <summary>The log file; null or <c>-</c> for standard input.</summary>
    public string? File { get; init; }

    /// <summary>Run <c>varnishlog -g request</c> and follow it.</summary>
    public bool Varnishlog { get; init; }

    /// <summary>varnishlog's <c>-n</c>: the instance name or working directory.</summary>
    public string? InstanceName { get; init; }

    public OutputFormat Format { get; init; } = OutputFormat.Text;

    public bool Colour { get; init; }

    /// <summary>Print only the summary (on standard output).</summary>
    public bool SummaryOnly { get; init; }

    /// <summary>No summary on standard error at the end.</summary>
    public bool NoSummary { get; init; }

    public FilterSettings Filters { get; init; } = new();

    public string? ClientIpHeader { get; init; }

    public int MaxPending { get; init; } = 10_000;

    public TimeSpan PendingTimeout { get; init; } = TimeSpan.FromSeconds(120);
}
