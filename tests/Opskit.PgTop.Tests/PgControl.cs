using Opskit.Testing;

namespace Opskit.PgTop.Tests;

/// <summary>pg_ctl on a fixture's data directory (as the postgres user when the tests run as root).</summary>
internal static class PgControl
{
    public static Task RestartAsync(PostgresServer server) =>
        RunAsync(server, ["-D", server.DataDirectory, "-m", "fast", "-w", "-t", "60", "-l", Path.Combine(server.DataDirectory, "..", "server.log"), "restart"]);

    /// <summary>Stops the server at once (no clean shutdown): clients see their connections drop.</summary>
    public static Task KillAsync(PostgresServer server) =>
        RunAsync(server, ["-D", server.DataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"]);

    /// <summary>Starts a stopped fixture again on its port and socket directory.</summary>
    public static Task StartAsync(PostgresServer server)
    {
        var root = Path.GetDirectoryName(server.DataDirectory)!;
        return RunAsync(server,
        [
            "-D", server.DataDirectory, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60",
            "-o", $"-p {server.Port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start",
        ]);
    }

    private static Task RunAsync(PostgresServer server, string[] arguments)
    {
        var pgCtl = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin", "pg_ctl"))
            .Where(File.Exists)
            .OrderDescending()
            .FirstOrDefault() ?? throw new InvalidOperationException("pg_ctl not found under /usr/lib/postgresql (apt: postgresql)");
        return Environment.UserName == "root"
            ? ProgramRun.CheckedAsync("runuser", ["-u", "postgres", "--", pgCtl, .. arguments], TimeSpan.FromSeconds(90))
            : ProgramRun.CheckedAsync(pgCtl, arguments, TimeSpan.FromSeconds(90));
    }
}
