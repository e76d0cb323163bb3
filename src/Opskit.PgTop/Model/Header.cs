namespace Opskit.PgTop.Model;

/// <summary>Session counts by state over the whole server (idle included even when idle rows were not fetched).</summary>
internal sealed record StateCounts(int Total, int Active, int Idle, int IdleInTransaction, int IdleInTransactionAborted, int WaitingOnLock, int Other);

/// <summary>Cumulative counters of <c>pg_stat_database</c> summed over databases.</summary>
internal sealed record DatabaseCounters(long Transactions, long BlocksHit, long BlocksRead, long Inserted, long Updated, long Deleted, DateTime? LastReset);

/// <summary>Rates between two snapshots; <see cref="Reset"/> when a counter went backwards (stats reset), then every rate is null.</summary>
internal sealed record Rates(double IntervalSeconds, double? TransactionsPerSecond, double? InsertedPerSecond, double? UpdatedPerSecond, double? DeletedPerSecond, bool Reset);

/// <summary>A standby seen from its primary (<c>pg_stat_replication</c>).</summary>
internal sealed record StandbyLag(string? Application, string? Client, string? State, double? WriteLagSeconds, double? FlushLagSeconds, double? ReplayLagSeconds, long? ReplayLagBytes);

/// <summary>The session with the oldest of something (transaction, <c>backend_xmin</c>).</summary>
internal sealed record OldestSession(int Pid, double AgeSeconds, string? User, string? Database);

/// <summary>A database size (fetched only on request).</summary>
internal sealed record DatabaseSize(string Name, long Bytes);
