namespace Opskit.PgTop.Model;

/// <summary>One row of <c>pg_stat_activity</c> as the collector read it (ages in seconds at the server's clock).</summary>
internal sealed class Session
{
    public required int Pid { get; init; }

    public int? LeaderPid { get; init; }

    public required string BackendType { get; init; }

    public string? Database { get; init; }

    public string? User { get; init; }

    public string? Application { get; init; }

    public string? Client { get; init; }

    public string? State { get; init; }

    public string? WaitEventType { get; init; }

    public string? WaitEvent { get; init; }

    public double? XactAgeSeconds { get; init; }

    public double? QueryAgeSeconds { get; init; }

    public double? BackendAgeSeconds { get; init; }

    public double? StateAgeSeconds { get; init; }

    public long? QueryId { get; init; }

    public DateTime? QueryStart { get; init; }

    public string? Query { get; init; }

    /// <summary>
    /// Seconds this session has waited for its heavyweight lock (<c>pg_locks.waitstart</c>, PostgreSQL 14+); null
    /// when it does not wait or the server is older (then <see cref="LockWaitOrQueryAgeSeconds"/> uses the statement's age).
    /// </summary>
    public double? LockWaitSeconds { get; init; }

    /// <summary>The lock wait where the server reports it, else the waiting statement's age (an upper bound).</summary>
    public double? LockWaitOrQueryAgeSeconds => LockWaitSeconds ?? QueryAgeSeconds;

    /// <summary>Pids this session waits for; filled only for sessions waiting on a heavyweight lock.</summary>
    public int[] BlockedBy { get; init; } = [];

    public bool IsActive => State == "active";

    public bool IsIdle => State == "idle";

    public bool IsIdleInTransaction => State is "idle in transaction" or "idle in transaction (aborted)";

    public bool IsLockWaiter => BlockedBy.Length > 0;

    /// <summary>A client's running statement older than <paramref name="thresholdSeconds"/>.</summary>
    public bool IsSlow(double thresholdSeconds) =>
        IsActive && BackendType == "client backend" && QueryAgeSeconds is { } age && age >= thresholdSeconds;
}
