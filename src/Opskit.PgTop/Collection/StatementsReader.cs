using Npgsql;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Collection;

/// <summary>Reads <c>pg_stat_statements</c> from the schema that holds it, with the column names of the server's version.</summary>
internal static class StatementsReader
{
    /// <summary>The top statements by total time, or null when the extension is not installed in this database.</summary>
    public static async Task<IReadOnlyList<StatementStat>?> ReadAsync(NpgsqlConnection connection, int serverVersion, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        string? schema;
        using (var find = new NpgsqlCommand(QueryText.Get("find_statements"), connection))
        {
            schema = await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        if (schema is null)
        {
            return null;
        }

        var (total, mean) = serverVersion >= 130000 ? ("total_exec_time", "mean_exec_time") : ("total_time", "mean_time");
        var sql = QueryText.Get("statements")
            .Replace("{schema}", QuoteIdentifier(schema), StringComparison.Ordinal)
            .Replace("{total}", total, StringComparison.Ordinal)
            .Replace("{mean}", mean, StringComparison.Ordinal);
        var rows = new List<StatementStat>();
        using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new StatementStat(
                    reader.IsDBNull(0) ? null : reader.GetInt64(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetInt64(3), reader.GetDouble(4), reader.GetDouble(5), reader.GetInt64(6),
                    reader.GetInt64(7), reader.GetInt64(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9)));
            }
        }

        return rows;
    }

    internal static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
