using System.Collections.Concurrent;

namespace Opskit.PgTop.Collection;

/// <summary>The SQL of <c>Collection/Queries/*.sql</c>, embedded in the assembly.</summary>
internal static class QueryText
{
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    public static string Get(string name) => Cache.GetOrAdd(name, static n =>
    {
        using var stream = typeof(QueryText).Assembly.GetManifestResourceStream($"Opskit.PgTop.Queries.{n}.sql")
            ?? throw new InvalidOperationException($"embedded query {n}.sql is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The snapshot statement for a server version (query_id exists from PostgreSQL 14).</summary>
    public static string Snapshot(int versionNumber) =>
        versionNumber >= 140000
            ? Get("snapshot")
            : Get("snapshot").Replace("/*query_id*/a.query_id", "NULL::bigint", StringComparison.Ordinal);
}
