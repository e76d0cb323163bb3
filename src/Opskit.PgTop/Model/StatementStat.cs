namespace Opskit.PgTop.Model;

/// <summary>One row of <c>pg_stat_statements</c>.</summary>
internal sealed record StatementStat(long? QueryId, string? User, string? Database, long Calls, double TotalMs, double MeanMs, long Rows, long BlocksHit, long BlocksRead, string? Query);
