using Npgsql;
using Opskit.PgTop.Collection;
using Opskit.Testing;

[assembly: AssemblyFixture(typeof(Opskit.PgTop.Tests.PgFixture))]

// One test at a time: the tests share one server, start real sessions and locks, and a TUI in tmux; run side by
// side on a loaded 2-core machine, a test's continuations waited behind the others long enough to time out.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Opskit.PgTop.Tests;

/// <summary>
/// One real PostgreSQL for the whole test assembly, with pg_stat_statements preloaded (set with ALTER SYSTEM and a
/// restart). Tests isolate themselves by unique names (tables, roles, application_name), not by servers.
/// </summary>
public sealed class PgFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("not started");

    public string ConnectionString => Server.ConnectionString;

    public async ValueTask InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        await using (var connection = await OpenAsync())
        {
            await ExecuteAsync(connection, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
            await ExecuteAsync(connection, "ALTER SYSTEM SET max_connections = 200");
        }

        await PgControl.RestartAsync(_server);
        await using (var connection = await OpenAsync())
        {
            await ExecuteAsync(connection, "CREATE EXTENSION pg_stat_statements");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A connection of the test itself, tagged with <paramref name="application"/> so it can be found.</summary>
    public async Task<NpgsqlConnection> OpenAsync(string application = "opskit-pgtop-tests", string? user = null, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = application };
        if (user is not null)
        {
            builder.Username = user;
        }

        if (database is not null)
        {
            builder.Database = database;
        }

        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    internal ServerTarget Target(string name = "test", string? user = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        if (user is not null)
        {
            builder.Username = user;
        }

        return new ServerTarget(name, builder.ConnectionString);
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Starts <paramref name="sql"/> without waiting for it (a pg_sleep, a statement that will block).</summary>
    public static Task StartAsync(NpgsqlConnection connection, string sql) => Task.Run(async () =>
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    });

    /// <summary>A name unique to this test run, safe in SQL identifiers.</summary>
    public static string Unique(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
