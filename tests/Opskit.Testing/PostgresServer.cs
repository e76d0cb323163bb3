namespace Opskit.Testing;

/// <summary>
/// A throwaway PostgreSQL server: <c>initdb</c> into a temp dir, <c>pg_ctl start</c> on a free
/// loopback port, stopped and removed on dispose. As root it runs the server as the
/// <c>postgres</c> user, since PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _root;
    private readonly string _binDirectory;
    private readonly bool _asPostgresUser;

    private PostgresServer(TempDirectory root, string binDirectory, int port, bool asPostgresUser)
    {
        _root = root;
        _binDirectory = binDirectory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Npgsql connection string for the superuser <c>postgres</c>, database <c>postgres</c>.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    /// <summary>The data directory.</summary>
    public string DataDirectory => _root.File("data");

    /// <summary>Initializes and starts a server; fails (CI) or skips (elsewhere) when PostgreSQL is not installed.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var binDirectory = FindBinDirectory();
        var initdb = ExternalProgram.Require("initdb", "apt: postgresql", binDirectory ?? "/usr/lib/postgresql/15/bin");
        binDirectory = Path.GetDirectoryName(initdb)!;

        var asPostgresUser = Environment.UserName == "root";
        var root = new TempDirectory("opskit-pg");
        var server = new PostgresServer(root, binDirectory, FreePort.Tcp(), asPostgresUser);
        try
        {
            if (asPostgresUser)
            {
                await ProgramRun.CheckedAsync("chown", ["postgres:postgres", root.Path], CommandTimeout).ConfigureAwait(false);
            }

            await server.RunAsync("initdb", ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]).ConfigureAwait(false);
            await server.RunAsync("pg_ctl",
            [
                "-D", server.DataDirectory, "-l", root.File("server.log"), "-w", "-t", "60",
                "-o", $"-p {server.Port} -k {root.Path} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
                "start",
            ]).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the server (fast shutdown) and removes its files.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"]).ConfigureAwait(false);
            }
        }
        finally
        {
            _root.Dispose();
        }
    }

    private Task<string> RunAsync(string tool, IReadOnlyList<string> arguments)
    {
        var program = Path.Combine(_binDirectory, tool);
        return _asPostgresUser
            ? ProgramRun.CheckedAsync("runuser", ["-u", "postgres", "--", program, .. arguments], CommandTimeout)
            : ProgramRun.CheckedAsync(program, arguments, CommandTimeout);
    }

    private static string? FindBinDirectory()
    {
        const string Root = "/usr/lib/postgresql";
        if (!Directory.Exists(Root))
        {
            return null;
        }

        // Newest major version first.
        var versions = Directory.GetDirectories(Root)
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .OrderByDescending(name => int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture));
        foreach (var version in versions)
        {
            var bin = Path.Combine(Root, version!, "bin");
            if (File.Exists(Path.Combine(bin, "initdb")))
            {
                return bin;
            }
        }

        return null;
    }
}
