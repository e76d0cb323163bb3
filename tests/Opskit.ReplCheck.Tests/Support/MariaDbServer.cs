using MySqlConnector;
using Opskit.Testing;

namespace Opskit.ReplCheck.Tests.Support;

/// <summary>
/// A throwaway MariaDB server: <c>mariadb-install-db</c> into a temp dir, <c>mariadbd</c> on a free loopback port with
/// its own socket, killed by PID and removed on dispose. It can be SIGKILLed and restarted on the same data directory
/// (the crash drill). As root it runs with <c>--user=root</c>, which mariadbd accepts when asked explicitly.
/// </summary>
public sealed class MariaDbServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _root;
    private readonly string _mariadbd;
    private ExternalProcess? _process;

    private MariaDbServer(TempDirectory root, string mariadbd, int serverId)
    {
        _root = root;
        _mariadbd = mariadbd;
        ServerId = serverId;
        Port = FreePort.Tcp();
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The server's <c>server_id</c>.</summary>
    public int ServerId { get; }

    /// <summary>The Unix socket.</summary>
    public string Socket => _root.File("mysqld.sock");

    /// <summary>The data directory.</summary>
    public string DataDirectory => _root.File("data");

    /// <summary>A scratch folder beside the data directory (option files, fragments).</summary>
    public string Scratch => _root.Path;

    /// <summary>The server's own tmpdir: two servers bootstrapping at once in /tmp collide on temporary table names.</summary>
    public string TempFiles => _root.File("tmp");

    /// <summary>Everything the running (or last) mariadbd wrote.</summary>
    public string Log => _process?.Output ?? string.Empty;

    /// <summary>The options of the next start (besides the fixed ones); change them before <see cref="RestartAsync"/>.</summary>
    public List<string> Options { get; } = [];

    /// <summary>An option file given as <c>--defaults-file</c> on the next start, or null for <c>--no-defaults</c>.</summary>
    public string? DefaultsFile { get; set; }

    /// <summary>Connection string of root over TCP (no password).</summary>
    public string RootConnectionString => $"Server=127.0.0.1;Port={Port};User ID=root;Pooling=false;Connection Timeout=30;Default Command Timeout=60";

    /// <summary>Installs and starts a server; fails in CI (skips elsewhere) when MariaDB is not installed.</summary>
    public static async Task<MariaDbServer> StartAsync(int serverId, IEnumerable<string> options)
    {
        var install = ExternalProgram.Require("mariadb-install-db", "apt: mariadb-server");
        var mariadbd = ExternalProgram.Require("mariadbd", "apt: mariadb-server");
        var server = new MariaDbServer(new TempDirectory("opskit-mariadb"), mariadbd, serverId);
        Directory.CreateDirectory(server.TempFiles);
        server.Options.AddRange(options);
        try
        {
            await ProgramRun.CheckedAsync(install,
            [
                "--no-defaults", $"--datadir={server.DataDirectory}", "--user=root", "--auth-root-authentication-method=normal",
                "--skip-test-db", "--skip-name-resolve",
            ], StartTimeout, new Dictionary<string, string> { ["TMPDIR"] = server.TempFiles }).ConfigureAwait(false);
            await server.RestartAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts mariadbd (again) on the same data directory and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("the server is running; stop or kill it first");
        }

        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }

        List<string> arguments =
        [
            DefaultsFile is null ? "--no-defaults" : $"--defaults-file={DefaultsFile}",
            $"--datadir={DataDirectory}", "--user=root", $"--port={Port}", "--bind-address=127.0.0.1", $"--socket={Socket}", $"--tmpdir={TempFiles}",
            $"--pid-file={_root.File("mysqld.pid")}", $"--server-id={ServerId}", "--skip-name-resolve",
            "--innodb-buffer-pool-size=16M", "--innodb-log-buffer-size=1M", "--performance-schema=OFF",
        ];
        arguments.AddRange(Options);
        _process = ExternalProcess.Start(_mariadbd, arguments);
        await _process.WaitForOutputAsync("ready for connections", StartTimeout).ConfigureAwait(false);
    }

    /// <summary>Clean shutdown (SIGTERM, waits for the exit).</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
    }

    /// <summary>SIGKILL: the crash of the drill; no shutdown, no flush.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        System.Diagnostics.Process.GetProcessById(_process.Pid).Kill();
        if (!await _process.WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false))
        {
            throw new TimeoutException($"mariadbd {_process.Pid} did not die after SIGKILL");
        }
    }

    /// <summary>Runs statements as root.</summary>
    public async Task ExecuteAsync(params string[] statements)
    {
        ArgumentNullException.ThrowIfNull(statements);
        await using var connection = new MySqlConnection(RootConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        foreach (var sql in statements)
        {
            await using var command = new MySqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The first column of the first row, as text.</summary>
    public async Task<string?> ScalarAsync(string sql)
    {
        await using var connection = new MySqlConnection(RootConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new MySqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync().ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The first row of <paramref name="sql"/> as column → text, or null when there is none.</summary>
    public async Task<Dictionary<string, string?>?> RowAsync(string sql)
    {
        await using var connection = new MySqlConnection(RootConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        if (!await reader.ReadAsync().ConfigureAwait(false))
        {
            return null;
        }

        var row = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            row[reader.GetName(i)] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        }

        return row;
    }

    /// <summary>Stops the server by PID and removes its files.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_process is not null)
            {
                await _process.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _root.Dispose();
        }
    }
}
