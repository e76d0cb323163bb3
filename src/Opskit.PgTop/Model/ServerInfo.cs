namespace Opskit.PgTop.Model;

/// <summary>What does not change between refreshes of one connection, plus recovery state.</summary>
internal sealed record ServerInfo(string Name, string Version, int VersionNumber, bool InRecovery, DateTime? StartTime, int MaxConnections);
