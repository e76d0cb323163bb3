using Npgsql;

namespace Opskit.PgTop.Collection;

/// <summary>Lends the monitor's connection to actions (signals, EXPLAIN, statements) between refreshes.</summary>
internal sealed partial class Collector
{
    /// <summary>The connection string of this target for another database (EXPLAIN runs where the query runs).</summary>
    internal string ConnectionStringFor(string? database)
    {
        var builder = new NpgsqlConnectionStringBuilder(_connectionString);
        if (!string.IsNullOrEmpty(database))
        {
            builder.Database = database;
        }

        return builder.ConnectionString;
    }

    /// <summary>Runs <paramref name="work"/> on the monitor's connection; connection problems become <see cref="CollectorException"/>.</summary>
    internal async Task<T> UseConnectionAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            var connection = await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
            _ownTransactions++;
            return await work(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionProblem(ex))
        {
            await DropConnectionAsync().ConfigureAwait(false);
            throw new CollectorException($"{_target.Name}: {Describe(ex)}", ex);
        }
    }
}
