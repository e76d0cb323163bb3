using Opskit.PgTop.Collection;

namespace Opskit.PgTop.Settings;

/// <summary>Every setting of a run, resolved: command line over profile over configuration file over defaults.</summary>
internal sealed record PgTopOptions
{
    public required IReadOnlyList<ServerTarget> Servers { get; init; }

    public double RefreshSeconds { get; init; } = 2;

    public bool Once { get; init; }

    /// <summary>Seconds between the two samples of <c>--once</c> (0: one sample, no rates).</summary>
    public double OnceIntervalSeconds { get; init; } = 1;

    public OutputFormat Format { get; init; } = OutputFormat.Table;

    public FailCondition FailOn { get; init; }

    public double SlowThresholdSeconds { get; init; } = 5;

    public double IdleInTransactionThresholdSeconds { get; init; }

    public string? SlowLogPath { get; init; }

    public Uri? WebhookUrl { get; init; }

    public double WebhookMinIntervalSeconds { get; init; } = 10;

    public bool ShowIdle { get; init; }

    public SessionFilter Filter { get; init; } = SessionFilter.None;

    public string SortColumn { get; init; } = "query_age";

    public bool SortDescending { get; init; } = true;

    public QueryDisplay QueryDisplay { get; init; } = QueryDisplay.Truncated;

    public int RewindDepth { get; init; } = 120;

    public bool DatabaseSizes { get; init; }

    public int StatementTimeoutMs { get; init; } = 5000;

    public int LockTimeoutMs { get; init; } = 1000;

    public bool NoColor { get; init; }
}
