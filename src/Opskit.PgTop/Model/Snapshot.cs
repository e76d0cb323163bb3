namespace Opskit.PgTop.Model;

/// <summary>Everything one refresh read from one server; immutable once built.</summary>
internal sealed class Snapshot
{
    public required ServerInfo Server { get; init; }

    public required DateTime TakenAt { get; init; }

    /// <summary>Sessions fetched (idle ones only when asked for, or when they block someone). Own backend excluded.</summary>
    public required IReadOnlyList<Session> Sessions { get; init; }

    public required StateCounts Counts { get; init; }

    public required DatabaseCounters Counters { get; init; }

    /// <summary>Null on the first snapshot of a connection.</summary>
    public Rates? Rates { get; init; }

    public double? CacheHitRatio { get; init; }

    public IReadOnlyList<StandbyLag> Standbys { get; init; } = [];

    /// <summary>On a standby: seconds since the last replayed transaction.</summary>
    public double? ReplayDelaySeconds { get; init; }

    public OldestSession? OldestTransaction { get; init; }

    public OldestSession? OldestXmin { get; init; }

    public required IReadOnlyList<LockNode> LockTree { get; init; }

    public IReadOnlyList<DatabaseSize>? DatabaseSizes { get; init; }

    /// <summary>Features the role lacks privileges for, and similar degradations, as one-line notes.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
