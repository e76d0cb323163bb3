using Opskit.Testing;

namespace Opskit.PgTop.Tests;

/// <summary>
/// A streaming standby of a fixture server: <c>pg_basebackup -R</c> into a temp dir, started on a free port,
/// stopped and removed on dispose (as the postgres user when the tests run as root).
/// </summary>
internal sealed class StandbyServer : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly TempDirectory _root;
    private readonly string _bin;

    private StandbyServer(TempDirectory root, string bin, int port)
    {
        _root = root;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    private string DataDirectory => _root.File("data");

    public static async Task<StandbyServer> StartAsync(PostgresServer primary, string applicationName)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "pg_basebackup")))
            .OrderDescending()
            .FirstOrDefault() ?? throw new InvalidOperationException("pg_basebackup not found under /usr/lib/postgresql (apt: postgresql)");
        var standby = new StandbyServer(new TempDirectory("opskit-pg-standby"), bin, FreePort.Tcp());
        try
        {
            if (Environment.UserName == "root")
            {
                await ProgramRun.CheckedAsync("chown", ["postgres:postgres", standby._root.Path], Timeout);
            }

            await standby.RunAsync("pg_basebackup",
            [
                "-h", "127.0.0.1", "-p", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres",
                "-D", standby.DataDirectory, "-R", "-X", "stream", "--no-sync",
                "-d", $"application_name={applicationName}",
            ]);
            await standby.RunAsync("pg_ctl",
            [
                "-D", standby.DataDirectory, "-l", standby._root.File("server.log"), "-w", "-t", "60",
                "-o", $"-p {standby.Port} -k {standby._root.Path} -c listen_addresses=127.0.0.1 -c fsync=off", "start",
            ]);
            return standby;
        }
        catch
        {
            await standby.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"]);
            }
        }
        finally
        {
            _root.Dispose();
        }
    }

    private Task<string> RunAsync(string tool, string[] arguments)
    {
        var program = Path.Combine(_bin, tool);
        return Environment.UserName == "root"
            ? ProgramRun.CheckedAsync("runuser", ["-u", "postgres", "--", program, .. arguments], Timeout)
            : ProgramRun.CheckedAsync(program, arguments, Timeout);
    }
}
