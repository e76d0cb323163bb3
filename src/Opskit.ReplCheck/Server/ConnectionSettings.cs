using MySqlConnector;

namespace Opskit.ReplCheck.Server;

/// <summary>
/// Where and how to connect, resolved like the mysql client: command line, then the option file
/// (<c>--defaults-file</c>, else <c>~/.my.cnf</c>, group <c>[client]</c>), then the environment
/// (<c>MYSQL_PWD</c>, <c>MYSQL_HOST</c>, <c>MYSQL_TCP_PORT</c>, <c>MYSQL_UNIX_PORT</c>), then defaults.
/// Host <c>localhost</c> (the default) means the Unix socket, as in the mysql client.
/// </summary>
public sealed record ConnectionSettings
{
    /// <summary>The socket the Debian and Ubuntu packages use when nothing else is configured.</summary>
    public const string DefaultSocket = "/run/mysqld/mysqld.sock";

    /// <summary>Host name or address; <c>localhost</c> means the Unix socket.</summary>
    public string Host { get; init; } = "localhost";

    /// <summary>TCP port.</summary>
    public int Port { get; init; } = 3306;

    /// <summary>Unix socket path, used when <see cref="Host"/> is <c>localhost</c>.</summary>
    public string Socket { get; init; } = DefaultSocket;

    /// <summary>User name; the login name by default, as in the mysql client.</summary>
    public string User { get; init; } = Environment.UserName;

    /// <summary>Password, or null for none. Never printed.</summary>
    public string? Password { get; init; }

    /// <summary>Timeout of the connection and of every query.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True when the connection goes through the Unix socket.</summary>
    public bool UsesSocket => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>Where, for messages (no credentials): <c>127.0.0.1:3306</c> or the socket path.</summary>
    public string Endpoint => UsesSocket ? Socket : $"{Host}:{Port}";

    /// <summary>The MySqlConnector connection string: no pooling (one run, one connection), timeouts in whole seconds.</summary>
    public string ToConnectionString()
    {
        var seconds = (uint)Math.Max(1, Math.Ceiling(Timeout.TotalSeconds));
        var builder = new MySqlConnectionStringBuilder
        {
            Server = UsesSocket ? Socket : Host,
            UserID = User,
            Password = Password ?? string.Empty,
            Pooling = false,
            ConnectionTimeout = seconds,
            DefaultCommandTimeout = seconds,
            CancellationTimeout = -1,
            AllowPublicKeyRetrieval = true,
            SslMode = MySqlSslMode.Preferred,
        };
        if (UsesSocket)
        {
            builder.ConnectionProtocol = MySqlConnectionProtocol.UnixSocket;
        }
        else
        {
            builder.Port = (uint)Port;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// Resolves the settings. Command-line values (non-null arguments) win over the option file, which wins over the
    /// environment.
    /// </summary>
    /// <param name="commandLine">What the command line gave (null members: not given).</param>
    /// <param name="defaultsFile">The <c>--defaults-file</c>, or null for <c>~/.my.cnf</c> when it exists.</param>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    /// <exception cref="FormatException">A port or timeout that is not a number.</exception>
    /// <exception cref="FileNotFoundException">A <c>--defaults-file</c> that does not exist.</exception>
    public static ConnectionSettings Resolve(ConnectionArguments commandLine, string? defaultsFile, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(environment);
        Dictionary<string, string> file = new(StringComparer.OrdinalIgnoreCase);
        if (defaultsFile is not null)
        {
            if (!File.Exists(defaultsFile))
            {
                throw new FileNotFoundException($"--defaults-file {defaultsFile} does not exist", defaultsFile);
            }

            file = OptionFile.Read(defaultsFile, "client");
        }
        else if (environment("HOME") is { Length: > 0 } home && File.Exists(Path.Combine(home, ".my.cnf")))
        {
            file = OptionFile.Read(Path.Combine(home, ".my.cnf"), "client");
        }

        string? Pick(string? fromCommandLine, string key, string? variable) =>
            fromCommandLine ?? (file.TryGetValue(key, out var v) ? v : null) ?? (variable is null ? null : environment(variable));

        var defaults = new ConnectionSettings();
        var port = Pick(commandLine.Port, "port", "MYSQL_TCP_PORT");
        return new ConnectionSettings
        {
            Host = Pick(commandLine.Host, "host", "MYSQL_HOST") is { Length: > 0 } host ? host : defaults.Host,
            Port = port is null ? defaults.Port : ParsePort(port),
            Socket = Pick(commandLine.Socket, "socket", "MYSQL_UNIX_PORT") is { Length: > 0 } socket ? socket : defaults.Socket,
            User = Pick(commandLine.User, "user", "USER") is { Length: > 0 } user ? user : defaults.User,
            Password = Pick(commandLine.Password, "password", "MYSQL_PWD"),
            Timeout = commandLine.Timeout ?? defaults.Timeout,
        };
    }

    /// <summary>Parses a TCP port.</summary>
    /// <exception cref="FormatException">Not a number between 1 and 65535.</exception>
    public static int ParsePort(string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new FormatException($"port '{text}' is not a number between 1 and 65535");
}

/// <summary>Connection values as given on the command line; null means not given.</summary>
/// <param name="Host">-h, --host.</param>
/// <param name="Port">-P, --port (text, validated on resolve).</param>
/// <param name="Socket">-S, --socket.</param>
/// <param name="User">-u, --user.</param>
/// <param name="Password">-p, --password.</param>
/// <param name="Timeout">--timeout.</param>
public sealed record ConnectionArguments(string? Host, string? Port, string? Socket, string? User, string? Password, TimeSpan? Timeout);
