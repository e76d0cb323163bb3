using Opskit.ReplCheck.Server;
using Opskit.Testing;

namespace Opskit.ReplCheck.Tests.Server;

public sealed class ConnectionSettingsTests : IDisposable
{
    private readonly TempDirectory _home = new("opskit-replcheck-settings");
    private readonly Dictionary<string, string?> _environment = new();

    private static ConnectionArguments None => new(null, null, null, null, null, null);

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Defaults_are_the_socket_and_the_login_name()
    {
        _environment["USER"] = "ops";
        var settings = Resolve(None, null);
        Assert.True(settings.UsesSocket);
        Assert.Equal(ConnectionSettings.DefaultSocket, settings.Endpoint);
        Assert.Equal("ops", settings.User);
        Assert.Null(settings.Password);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Timeout);
    }

    [Fact]
    public void Command_line_beats_my_cnf_which_beats_the_environment()
    {
        File.WriteAllText(_home.File(".my.cnf"), "[mysqld]\nport=1\n[client]\n# comment\nhost = db1\nport = 3307\npassword = 'from file'\nuser=filer\n[mysqldump]\nuser=other\n");
        _environment["MYSQL_PWD"] = "from env";
        _environment["MYSQL_HOST"] = "db-env";
        var fromFile = Resolve(None, null);
        Assert.Equal(("db1", 3307, "from file", "filer"), (fromFile.Host, fromFile.Port, fromFile.Password, fromFile.User));
        Assert.Equal("db1:3307", fromFile.Endpoint);

        var fromCommandLine = Resolve(new ConnectionArguments("127.0.0.1", "3310", null, "cli", "from cli", TimeSpan.FromSeconds(2)), null);
        Assert.Equal(("127.0.0.1", 3310, "from cli", "cli"), (fromCommandLine.Host, fromCommandLine.Port, fromCommandLine.Password, fromCommandLine.User));
        Assert.Contains("Connection Timeout=2", fromCommandLine.ToConnectionString(), StringComparison.OrdinalIgnoreCase);

        File.Delete(_home.File(".my.cnf"));
        var fromEnvironment = Resolve(None, null);
        Assert.Equal(("db-env", "from env"), (fromEnvironment.Host, fromEnvironment.Password));
    }

    [Fact]
    public void Defaults_file_replaces_my_cnf_and_must_exist()
    {
        File.WriteAllText(_home.File(".my.cnf"), "[client]\nuser=home\n");
        var defaults = _home.File("monitor.cnf");
        File.WriteAllText(defaults, "[client]\nuser=monitor\nsocket=/tmp/x.sock\n");
        var settings = Resolve(None, defaults);
        Assert.Equal(("monitor", "/tmp/x.sock"), (settings.User, settings.Endpoint));
        Assert.Throws<FileNotFoundException>(() => Resolve(None, _home.File("missing.cnf")));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("33o6")]
    [InlineData("-1")]
    public void Bad_port_is_a_format_error(string port) =>
        Assert.Throws<FormatException>(() => Resolve(new ConnectionArguments("h", port, null, null, null, null), null));

    [Fact]
    public void Primary_dsn_inherits_the_login_and_parses_both_forms()
    {
        var replica = new ConnectionSettings { Host = "replica", User = "monitor", Password = "pw", Timeout = TimeSpan.FromSeconds(3) };
        var dsn = PrimaryDsn.Parse("h=db1,P=3307", replica);
        Assert.Equal(("db1", 3307, "monitor", "pw", TimeSpan.FromSeconds(3)), (dsn.Host, dsn.Port, dsn.User, dsn.Password, dsn.Timeout));
        var short1 = PrimaryDsn.Parse("db2:3308", replica);
        Assert.Equal(("db2", 3308), (short1.Host, short1.Port));
        var socket = PrimaryDsn.Parse("S=/run/p.sock,u=root,p=", replica);
        Assert.Equal(("/run/p.sock", "root", ""), (socket.Endpoint, socket.User, socket.Password));
        Assert.Throws<FormatException>(() => PrimaryDsn.Parse("x=1", replica));
        Assert.Throws<FormatException>(() => PrimaryDsn.Parse("h=db,P=port", replica));
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("5", 5)]
    [InlineData("5s", 5)]
    [InlineData("30m", 1800)]
    [InlineData("12h", 43200)]
    [InlineData("14d", 1209600)]
    public void Durations_parse(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DurationText.Parse(text, "--x"));

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("0")]
    [InlineData("1e999")]
    public void Bad_durations_are_format_errors(string text) =>
        Assert.Throws<FormatException>(() => DurationText.Parse(text, "--x"));

    private ConnectionSettings Resolve(ConnectionArguments arguments, string? defaultsFile)
    {
        _environment["HOME"] = _home.Path;
        return ConnectionSettings.Resolve(arguments, defaultsFile, name => _environment.GetValueOrDefault(name));
    }
}
