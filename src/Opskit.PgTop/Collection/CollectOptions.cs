namespace Opskit.PgTop.Collection;

/// <summary>What one refresh should read besides the always-present activity and header.</summary>
internal sealed record CollectOptions(bool IncludeIdle = false, bool DatabaseSizes = false);
