using System.Text;
using Npgsql;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Actions;

/// <summary>
/// EXPLAIN of a session's running query, on a short-lived connection to that session's database. Plain EXPLAIN by
/// default; ANALYZE (which runs the statement) only when asked, inside a transaction that is rolled back.
/// </summary>
internal static class QueryExplainer
{
    public static async Task<string> ExplainAsync(string connectionString, Session session, bool analyze, int serverVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var query = session.Query?.Trim().TrimEnd(';');
        if (string.IsNullOrEmpty(query) || query.StartsWith('<'))
        {
            return $"pid {session.Pid}: no query text to explain";
        }

        var parameterized = query.Contains('$', StringComparison.Ordinal);
        if (parameterized && (analyze || serverVersion < 160000))
        {
            return $"pid {session.Pid}: the query has $n parameters; {(analyze ? "EXPLAIN ANALYZE cannot run it" : "EXPLAIN (GENERIC_PLAN) needs PostgreSQL 16")}";
        }

        var options = analyze ? "(ANALYZE, BUFFERS)" : parameterized ? "(GENERIC_PLAN)" : string.Empty;
        try
        {
            var connection = new NpgsqlConnection(connectionString);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    // A batch command is sent as one statement, not split on semicolons: a query text holding
                    // "; DROP ..." is refused by the server instead of run.
                    var batch = new NpgsqlBatch(connection, transaction);
                    await using (batch.ConfigureAwait(false))
                    {
                        batch.BatchCommands.Add(new NpgsqlBatchCommand($"EXPLAIN {options} {query}"));
                        var plan = new StringBuilder();
                        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                        await using (reader.ConfigureAwait(false))
                        {
                            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                            {
                                plan.AppendLine(reader.GetString(0));
                            }
                        }

                        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                        return plan.ToString();
                    }
                }
            }
        }
        catch (PostgresException ex)
        {
            return $"pid {session.Pid}: EXPLAIN failed: {ex.MessageText} ({ex.SqlState})";
        }
        catch (NpgsqlException ex)
        {
            return $"pid {session.Pid}: EXPLAIN failed: {ex.Message}";
        }
    }
}
