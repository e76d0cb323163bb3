using System.Net.Sockets;
using Npgsql;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Collection;

/// <summary>
/// Reads one <see cref="Snapshot"/> per refresh from one server over one connection of its own
/// (<c>application_name=opskit-pgtop</c>, <c>statement_timeout</c> and <c>lock_timeout</c> set at connect).
/// A lost connection is reopened on the next refresh. Not thread-safe: one refresh or action at a time.
/// </summary>
internal sealed partial class Collector : IAsyncDisposable
{
    public const string ApplicationName = "opskit-pgtop";
    private readonly ServerTarget _target;
    private readonly string _connectionString;
    private readonly NpgsqlDataSource _dataSource;
    private NpgsqlConnection? _connection;
    private NpgsqlCommand? _snapshotCommand;
    private ServerInfo? _server;
    private bool _canReadAllStats;
    private Snapshot? _previous;
    private long _ownTransactions;
    private long _ownTransactionsAtPrevious;

    public Collector(ServerTarget target, int statementTimeoutMs = 5000, int lockTimeoutMs = 1000)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        var builder = new NpgsqlConnectionStringBuilder(target.ConnectionString)
        {
            ApplicationName = ApplicationName,
            Pooling = false,
            Options = $"-c statement_timeout={statementTimeoutMs} -c lock_timeout={lockTimeoutMs}",
            Timeout = 5,
            CommandTimeout = Math.Max(5, (statementTimeoutMs / 1000) + 5),
            IncludeErrorDetail = false,
        };
        _connectionString = builder.ConnectionString;
        // The slim builder registers only the basic type handlers (plus arrays, which blocked_by and the header
        // need): less to load and JIT at start than NpgsqlConnection's full set (bench/pgtop: client CPU and RSS).
        var slim = new NpgsqlSlimDataSourceBuilder(_connectionString);
        slim.EnableArrays();
        _dataSource = slim.Build();
    }

    public ServerTarget Target => _target;

    /// <summary>The server's backend pid of our own connection, or 0 while disconnected.</summary>
    public int OwnPid => _connection?.ProcessID ?? 0;

    /// <summary>Reads one snapshot; throws <see cref="CollectorException"/> when the server cannot be read.</summary>
    public async Task<Snapshot> CollectAsync(CollectOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            var connection = await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
            _snapshotCommand!.Parameters[0].Value = options.IncludeIdle;
            _ownTransactions++;
            var raw = await SnapshotReader.ReadAsync(_snapshotCommand, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<DatabaseSize>? sizes = null;
            if (options.DatabaseSizes)
            {
                sizes = await ReadDatabaseSizesAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            var snapshot = Build(raw, sizes);
            _previous = snapshot;
            _ownTransactionsAtPrevious = _ownTransactions;
            return snapshot;
        }
        catch (Exception ex) when (IsConnectionProblem(ex))
        {
            await DropConnectionAsync().ConfigureAwait(false);
            throw new CollectorException($"{_target.Name}: {Describe(ex)}", ex);
        }
        catch (PostgresException ex)
        {
            throw new CollectorException($"{_target.Name}: {ex.MessageText} ({ex.SqlState})", ex);
        }
    }

    private Snapshot Build(SnapshotReader.Raw raw, IReadOnlyList<DatabaseSize>? sizes)
    {
        var server = _server! with { InRecovery = raw.InRecovery };
        Rates? rates = null;
        double? hitRatio = Ratio(raw.Counters.BlocksHit, raw.Counters.BlocksRead);
        if (_previous is { } previous)
        {
            var seconds = (raw.TakenAt - previous.TakenAt).TotalSeconds;
            rates = RateCalculator.Compute(previous.Counters, raw.Counters, seconds, _ownTransactions - _ownTransactionsAtPrevious);
            var hit = raw.Counters.BlocksHit - previous.Counters.BlocksHit;
            var read = raw.Counters.BlocksRead - previous.Counters.BlocksRead;
            if (!rates.Reset && hit + read > 0)
            {
                hitRatio = Ratio(hit, read);
            }
        }

        var notes = new List<string>();
        if (!_canReadAllStats)
        {
            notes.Add("query texts of other roles are hidden: grant pg_read_all_stats to see them");
        }

        return new Snapshot
        {
            Server = server,
            TakenAt = raw.TakenAt,
            Sessions = raw.Sessions,
            Counts = raw.Counts,
            Counters = raw.Counters,
            Rates = rates,
            CacheHitRatio = hitRatio,
            Standbys = raw.Standbys,
            ReplayDelaySeconds = raw.ReplayDelaySeconds,
            OldestTransaction = raw.OldestTransaction,
            OldestXmin = raw.OldestXmin,
            LockTree = LockTreeBuilder.Build(raw.Sessions),
            DatabaseSizes = sizes,
            Notes = notes,
        };
    }

    private static double? Ratio(long hit, long read) => hit + read > 0 ? (double)hit / (hit + read) : null;

    private async Task<NpgsqlConnection> EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (_connection is { State: System.Data.ConnectionState.Open } open)
        {
            return open;
        }

        await DropConnectionAsync().ConfigureAwait(false);
        var connection = _dataSource.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using (var info = new NpgsqlCommand(QueryText.Get("server_info"), connection))
            {
                var reader = await info.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    _server = new ServerInfo(
                        _target.Name,
                        reader.GetString(0),
                        reader.GetInt32(1),
                        false,
                        reader.IsDBNull(2) ? null : reader.GetDateTime(2),
                        reader.GetInt32(3));
                    _canReadAllStats = !reader.IsDBNull(4) && reader.GetBoolean(4);
                }
            }

            _ownTransactions++;
            var command = new NpgsqlCommand(QueryText.Snapshot(_server.VersionNumber), connection);
            command.Parameters.Add(new NpgsqlParameter<bool>("idle", false));
            // Prepared once per connection: the server parses and plans the snapshot statement once, not every refresh.
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            _snapshotCommand = command;
            _connection = connection;
            // Counters of a new connection (perhaps a restarted server) are not comparable with the old ones.
            _previous = null;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<IReadOnlyList<DatabaseSize>> ReadDatabaseSizesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        _ownTransactions++;
        var sizes = new List<DatabaseSize>();
        using var command = new NpgsqlCommand(QueryText.Get("database_sizes"), connection);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                sizes.Add(new DatabaseSize(reader.GetString(0), reader.GetInt64(1)));
            }
        }

        return sizes;
    }

    private async Task DropConnectionAsync()
    {
        if (_snapshotCommand is not null)
        {
            await _snapshotCommand.DisposeAsync().ConfigureAwait(false);
            _snapshotCommand = null;
        }

        if (_connection is not null)
        {
            try
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionProblem(ex))
            {
                // A broken connection may fail to close politely; it is gone either way.
            }

            _connection = null;
        }
    }

    /// <summary>True when the error means the connection is unusable (network, restart, authentication), not the statement.</summary>
    internal static bool IsConnectionProblem(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
            || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) // admin shutdown, crash shutdown, cannot connect now
            || pg.SqlState.StartsWith("28", StringComparison.Ordinal) // invalid authorization
            || pg.SqlState == "3D000", // database does not exist
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } => true,
        NpgsqlException npgsql when npgsql is not PostgresException => true,
        SocketException or IOException or TimeoutException => true,
        InvalidOperationException when ex.Message.Contains("connection", StringComparison.OrdinalIgnoreCase) => true,
        _ => false,
    };

    /// <summary>One line for the reconnecting banner or standard error: never the connection string.</summary>
    internal static string Describe(Exception ex) => ex switch
    {
        PostgresException pg => $"{pg.MessageText} ({pg.SqlState})",
        NpgsqlException { InnerException: { } inner } => inner.Message,
        _ => ex.Message,
    };

    public async ValueTask DisposeAsync()
    {
        await DropConnectionAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
