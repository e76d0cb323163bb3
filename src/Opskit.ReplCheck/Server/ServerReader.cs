using System.Globalization;
using System.Net.Sockets;
using MySqlConnector;

namespace Opskit.ReplCheck.Server;

/// <summary>
/// Reads a <see cref="ServerSnapshot"/> over one connection. Every query has the settings' timeout, both as the
/// command timeout and as a cancellation deadline, so a server that accepts and never answers costs one timeout.
/// </summary>
public static class ServerReader
{
    /// <summary>The replication meta tables whose engine matters (MySQL repositories, MariaDB GTID position).</summary>
    internal static readonly string[] MetaTables = ["slave_master_info", "slave_relay_log_info", "slave_worker_info", "gtid_slave_pos"];

    /// <summary>The InnoDB persistent statistics tables that must be readable.</summary>
    internal static readonly string[] StatsTableNames = ["innodb_table_stats", "innodb_index_stats"];

    /// <summary>Connects and reads everything the rules need (<paramref name="replicaDetails"/>) or only version and variables.</summary>
    /// <exception cref="ServerUnavailableException">Down, login refused, missing privileges or timeout.</exception>
    public static async Task<ServerSnapshot> ReadAsync(ConnectionSettings settings, bool replicaDetails, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            var connection = new MySqlConnection(settings.ToConnectionString());
            await using (connection.ConfigureAwait(false))
            {
                await WithDeadline(settings, ct => connection.OpenAsync(ct), cancellationToken).ConfigureAwait(false);
                var identity = await QueryAsync(connection, settings, "SELECT @@version, @@version_comment", cancellationToken).ConfigureAwait(false);
                var versionText = identity[0][0] ?? string.Empty;
                var version = ServerVersion.Parse(versionText, identity[0][1])
                    ?? throw new ServerUnavailableException($"{settings.Endpoint}: cannot parse server version '{versionText}'");

                var variables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var row in await QueryAsync(connection, settings, "SHOW GLOBAL VARIABLES", cancellationToken).ConfigureAwait(false))
                {
                    variables[row[0] ?? string.Empty] = row[1] ?? string.Empty;
                }

                var snapshot = new ServerSnapshot { Version = version, Variables = variables };
                if (!replicaDetails)
                {
                    return snapshot;
                }

                return snapshot with
                {
                    Channels = await ReadChannelsAsync(connection, settings, version, cancellationToken).ConfigureAwait(false),
                    MetaTableEngines = await ReadMetaTableEnginesAsync(connection, settings, cancellationToken).ConfigureAwait(false),
                    StatsTables = await ReadStatsTablesAsync(connection, settings, cancellationToken).ConfigureAwait(false),
                    VariableSources = await ReadVariableSourcesAsync(connection, settings, version, cancellationToken).ConfigureAwait(false),
                };
            }
        }
        catch (MySqlException ex)
        {
            throw new ServerUnavailableException(Describe(ex, settings), ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnavailableException($"{settings.Endpoint}: no answer within {Seconds(settings)} s (--timeout)", ex);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            throw new ServerUnavailableException($"{settings.Endpoint}: {ex.Message}", ex);
        }
    }

    private static async Task<IReadOnlyList<ReplicaChannel>> ReadChannelsAsync(
        MySqlConnection connection, ConnectionSettings settings, ServerVersion version, CancellationToken cancellationToken)
    {
        var sql = version.Flavor == ServerFlavor.MariaDb ? "SHOW ALL SLAVES STATUS"
            : version.AtLeast(8, 0, 22) ? "SHOW REPLICA STATUS"
            : "SHOW SLAVE STATUS";
        var (columns, rows) = await QueryWithColumnsAsync(connection, settings, sql, cancellationToken).ConfigureAwait(false);
        var channels = new List<ReplicaChannel>(rows.Count);
        foreach (var row in rows)
        {
            var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < columns.Length; i++)
            {
                fields[columns[i]] = row[i];
            }

            channels.Add(new ReplicaChannel(fields));
        }

        return channels;
    }

    private static async Task<IReadOnlyDictionary<string, string>> ReadMetaTableEnginesAsync(
        MySqlConnection connection, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        var engines = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var parameters = new List<MySqlParameter>();
        for (var i = 0; i < MetaTables.Length; i++)
        {
            parameters.Add(new MySqlParameter($"@t{i}", MetaTables[i]));
        }

        var names = string.Join(", ", parameters.Select(p => p.ParameterName));
        var rows = await QueryAsync(connection, settings,
            $"SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME IN ({names})",
            cancellationToken, parameters).ConfigureAwait(false);
        foreach (var row in rows)
        {
            engines[row[0] ?? string.Empty] = row[1] ?? string.Empty;
        }

        return engines;
    }

    private static async Task<IReadOnlyDictionary<string, string?>> ReadStatsTablesAsync(
        MySqlConnection connection, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in StatsTableNames)
        {
            try
            {
                // Table names cannot be parameters; these are constants from StatsTableNames.
                await QueryAsync(connection, settings, $"SELECT 1 FROM mysql.`{table}` LIMIT 1", cancellationToken).ConfigureAwait(false);
                result[table] = null;
            }
            catch (MySqlException ex) when (!IsPrivilegeError(ex) && !IsConnectionError(ex))
            {
                result[table] = $"error {ex.Number}: {ex.Message}";
            }
        }

        return result;
    }

    private static async Task<IReadOnlyDictionary<string, string>> ReadVariableSourcesAsync(
        MySqlConnection connection, ConnectionSettings settings, ServerVersion version, CancellationToken cancellationToken)
    {
        var sources = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (version.Flavor != ServerFlavor.MySql || !version.AtLeast(8, 0, 0))
        {
            return sources;
        }

        try
        {
            var rows = await QueryAsync(connection, settings,
                "SELECT VARIABLE_NAME, VARIABLE_SOURCE FROM performance_schema.variables_info WHERE VARIABLE_SOURCE <> 'COMPILED'",
                cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                sources[row[0] ?? string.Empty] = row[1] ?? string.Empty;
            }
        }
        catch (MySqlException ex) when (!IsConnectionError(ex))
        {
            // performance_schema off or not granted: the sources are a refinement, the checks work without them.
        }

        return sources;
    }

    private static async Task<List<string?[]>> QueryAsync(
        MySqlConnection connection, ConnectionSettings settings, string sql, CancellationToken cancellationToken, IEnumerable<MySqlParameter>? parameters = null) =>
        (await QueryWithColumnsAsync(connection, settings, sql, cancellationToken, parameters).ConfigureAwait(false)).Rows;

    /// <summary>Runs one query with the settings' timeout; every value as invariant text, NULL as null.</summary>
    private static async Task<(string[] Columns, List<string?[]> Rows)> QueryWithColumnsAsync(
        MySqlConnection connection, ConnectionSettings settings, string sql, CancellationToken cancellationToken, IEnumerable<MySqlParameter>? parameters = null)
    {
        var columns = Array.Empty<string>();
        var rows = new List<string?[]>();
        await WithDeadline(settings, async ct =>
        {
            using var command = new MySqlCommand(sql, connection) { CommandTimeout = Seconds(settings) };
            if (parameters is not null)
            {
                foreach (var parameter in parameters)
                {
                    command.Parameters.Add(parameter);
                }
            }

            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                columns = new string[reader.FieldCount];
                for (var i = 0; i < columns.Length; i++)
                {
                    columns[i] = reader.GetName(i);
                }

                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var row = new string?[reader.FieldCount];
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
                    }

                    rows.Add(row);
                }
            }
        }, cancellationToken).ConfigureAwait(false);
        return (columns, rows);
    }

    /// <summary>Runs <paramref name="work"/> with a deadline of the settings' timeout (plus a second for the server's own timeout to win).</summary>
    private static async Task WithDeadline(ConnectionSettings settings, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout + TimeSpan.FromSeconds(1));
        await work(deadline.Token).ConfigureAwait(false);
    }

    private static int Seconds(ConnectionSettings settings) => (int)Math.Max(1, Math.Ceiling(settings.Timeout.TotalSeconds));

    private static bool IsPrivilegeError(MySqlException ex) => ex.ErrorCode is
        MySqlErrorCode.SpecifiedAccessDeniedError or MySqlErrorCode.TableAccessDenied or MySqlErrorCode.ColumnAccessDenied
        or MySqlErrorCode.DatabaseAccessDenied or MySqlErrorCode.AccessDenied;

    private static bool IsConnectionError(MySqlException ex) => ex.ErrorCode is
        MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.CommandTimeoutExpired or MySqlErrorCode.QueryInterrupted;

    private static bool IsTimeout(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException or OperationCanceledException
                || (e is MySqlException { ErrorCode: MySqlErrorCode.CommandTimeoutExpired })
                || e.Message.Contains("Timeout expired", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(MySqlException ex, ConnectionSettings settings)
    {
        var where = settings.Endpoint;
        return ex.ErrorCode switch
        {
            MySqlErrorCode.AccessDenied => $"{where}: login refused: {ex.Message}",
            MySqlErrorCode.SpecifiedAccessDeniedError or MySqlErrorCode.TableAccessDenied or MySqlErrorCode.ColumnAccessDenied or MySqlErrorCode.DatabaseAccessDenied =>
                $"{where}: missing privileges: {ex.Message} (grant REPLICATION CLIENT or REPLICA MONITOR, and SELECT on mysql.*)",
            MySqlErrorCode.CommandTimeoutExpired or MySqlErrorCode.QueryInterrupted => $"{where}: no answer within {Seconds(settings)} s (--timeout)",
            MySqlErrorCode.UnableToConnectToHost when IsTimeout(ex) => $"{where}: no answer within {Seconds(settings)} s (--timeout)",
            MySqlErrorCode.UnableToConnectToHost when ex.InnerException is { } inner => $"{where}: cannot connect: {inner.Message}",
            MySqlErrorCode.UnableToConnectToHost => $"{where}: cannot connect (refused, unreachable or no such socket)",
            _ => $"{where}: error {ex.Number}: {ex.Message}",
        };
    }
}
