namespace Opskit.PgTop.Collection;

/// <summary>A server to watch: a display name and an Npgsql connection string (never printed: it may hold a password).</summary>
internal sealed record ServerTarget(string Name, string ConnectionString)
{
    /// <summary>The name, for messages; the connection string stays out of every message.</summary>
    public override string ToString() => Name;
}
