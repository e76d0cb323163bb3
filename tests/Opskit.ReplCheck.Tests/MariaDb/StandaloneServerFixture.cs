using Opskit.ReplCheck.Tests.Support;

namespace Opskit.ReplCheck.Tests.MariaDb;

/// <summary>
/// One MariaDB server (not a replica) shared by the tests of a class, with three users: <c>monitor</c> (the grants
/// replcheck needs), <c>checker</c> (a password but no grants) and root without password.
/// </summary>
public sealed class StandaloneServerFixture : IAsyncLifetime
{
    /// <summary>Password of <c>monitor</c> and <c>checker</c> (test-only).</summary>
    public const string Password = "s3cret-Pw";

    private MariaDbServer? _server;

    /// <summary>The server.</summary>
    public MariaDbServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        _server = await MariaDbServer.StartAsync(7, ["--log-bin=standalone-bin"]);
        await _server.ExecuteAsync(
            $"CREATE USER 'monitor'@'127.0.0.1' IDENTIFIED BY '{Password}'",
            $"CREATE USER 'monitor'@'localhost' IDENTIFIED BY '{Password}'",
            "GRANT SLAVE MONITOR, BINLOG MONITOR ON *.* TO 'monitor'@'127.0.0.1'",
            "GRANT SLAVE MONITOR, BINLOG MONITOR ON *.* TO 'monitor'@'localhost'",
            "GRANT SELECT ON mysql.* TO 'monitor'@'127.0.0.1'",
            "GRANT SELECT ON mysql.* TO 'monitor'@'localhost'",
            $"CREATE USER 'checker'@'127.0.0.1' IDENTIFIED BY '{Password}'");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
