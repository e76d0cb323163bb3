using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>What a rule sees: the checked server, the primary when given, and the thresholds.</summary>
/// <param name="Server">The replica (or server) under check.</param>
/// <param name="Primary">The primary's version and variables, when <c>--primary</c> was given and reachable.</param>
/// <param name="PrimaryError">Why the primary could not be read, when <c>--primary</c> was given and it failed.</param>
/// <param name="Thresholds">Limits from the command line.</param>
public sealed record RuleContext(ServerSnapshot Server, ServerSnapshot? Primary, string? PrimaryError, CheckThresholds Thresholds)
{
    /// <summary>True when <c>--primary</c> was given.</summary>
    public bool PrimaryRequested => Primary is not null || PrimaryError is not null;
}

/// <summary>Limits from the command line.</summary>
/// <param name="MaxLag">Replication lag above which the lag check is CRIT (WARN above half of it).</param>
/// <param name="MinBinlogRetention">Shortest binlog retention accepted on the primary.</param>
public sealed record CheckThresholds(TimeSpan MaxLag, TimeSpan MinBinlogRetention)
{
    /// <summary>5 minutes of lag, 7 days of binlogs.</summary>
    public static CheckThresholds Default { get; } = new(TimeSpan.FromMinutes(5), TimeSpan.FromDays(7));
}
