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

    /// <summary>The snapshot statement for a server version (query_id and pg_locks.waitstart exist from PostgreSQL 14).</summary>
    public static string Snapshot(int versionNumber)
    {
        var text = Get("snapshot");
        if (versionNumber >= 140000)
        {
            return text;
        }

        var start = text.IndexOf("/*waits*/", StringComparison.Ordinal);
        var end = text.IndexOf("/*end waits*/", StringComparison.Ordinal);
        return string.Concat(
            text.AsSpan(0, start),
            " SELECT NULL::int AS pid, NULL::timestamptz AS waitstart WHERE false ",
            text.AsSpan(end + "/*end waits*/".Length)).Replace("/*query_id*/a.query_id", "NULL::bigint", StringComparison.Ordinal);
    }
}
