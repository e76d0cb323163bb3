using System.CommandLine;
using Opskit.PgTop.Settings;
using Opskit.Testing;

namespace Opskit.PgTop.Tests.Settings;

public sealed class ConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void File_sets_options_profile_overrides_file_and_command_line_wins()
    {
        var config = Write("""
            {
              // comments are allowed
              "refresh": 3,
              "slow-threshold": 7.5,
              "server": ["cfg=postgresql://cfghost:5440/app"],
              "fail-on": ["slow", "blocked"],
              "filter-user": "/^app_/",
              "profiles": {
                "prod": { "refresh": 10, "show-idle": true, "server": ["p1=host=prod1", "p2=host=prod2"] }
              }
            }
            """);

        var plain = Resolve("--config", config);
        Assert.Equal(3, plain.RefreshSeconds);
        Assert.Equal(7.5, plain.SlowThresholdSeconds);
        Assert.Equal(FailCondition.Slow | FailCondition.Blocked, plain.FailOn);
        Assert.Equal("cfg", Assert.Single(plain.Servers).Name);
        Assert.Contains("Host=cfghost", plain.Servers[0].ConnectionString, StringComparison.Ordinal);
        Assert.False(plain.ShowIdle);
        Assert.True(plain.Filter.User!.Matches("app_web"));
        Assert.False(plain.Filter.User.Matches("postgres"));

        var prod = Resolve("--config", config, "--profile", "prod");
        Assert.Equal(10, prod.RefreshSeconds);
        Assert.True(prod.ShowIdle);
        Assert.Equal(7.5, prod.SlowThresholdSeconds);
        Assert.Equal(["p1", "p2"], prod.Servers.Select(s => s.Name));

        var cli = Resolve("--config", config, "--profile", "prod", "--refresh", "1", "--slow-threshold", "2", "--server", "mine=host=h1");
        Assert.Equal(1, cli.RefreshSeconds);
        Assert.Equal(2, cli.SlowThresholdSeconds);
        Assert.Equal("mine", Assert.Single(cli.Servers).Name);
        Assert.True(cli.ShowIdle);
    }

    [Fact]
    public void Defaults_without_a_file()
    {
        var options = Resolve("-h", "somehost", "-p", "5499", "-U", "u1", "-d", "db1");
        Assert.Equal(2, options.RefreshSeconds);
        Assert.Equal(5, options.SlowThresholdSeconds);
        Assert.False(options.Once);
        Assert.Equal(OutputFormat.Table, options.Format);
        Assert.Equal("somehost:5499/db1", Assert.Single(options.Servers).Name);
        Assert.Contains("Username=u1", options.Servers[0].ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "refresh": "soon" }""", "refresh", null)]
    [InlineData("""{ "refreshh": 1 }""", "refreshh", null)]
    [InlineData("""{ "refresh": 100 }""", "refresh", null)]
    [InlineData("""[1, 2]""", "object", null)]
    [InlineData("""{ "profiles": {} }""", "staging", "staging")]
    [InlineData("""{ "profiles": { "staging": { "slow-threshold": -1 } } }""", "slow-threshold", "staging")]
    public void Bad_files_name_the_key(string json, string named, string? profile)
    {
        var config = Write(json);
        string[] args = profile is null ? ["--config", config] : ["--config", config, "--profile", profile];
        var error = Assert.Throws<FormatException>(() => Resolve(args));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_color_follows_the_environment()
    {
        Assert.True(Resolve(env: new() { ["NO_COLOR"] = "1" }, args: []).NoColor);
        Assert.False(Resolve(env: new(), args: []).NoColor);
    }

    [Fact]
    public void Servers_in_the_file_may_be_objects_with_host_port_user_dbname_and_name()
    {
        var config = Write("""
            {
              "server": [
                { "name": "primary", "host": "db1", "port": 5433, "user": "monitor", "dbname": "app" },
                { "host": "db2", "port": "6432", "username": "other", "database": "app2" },
                "third=host=db3 user=x"
              ]
            }
            """);

        var options = Resolve("--config", config);
        Assert.Equal(["primary", "db2:6432/app2", "third"], options.Servers.Select(s => s.Name));
        var first = new Npgsql.NpgsqlConnectionStringBuilder(options.Servers[0].ConnectionString);
        Assert.Equal(("db1", 5433, "monitor", "app"), (first.Host, first.Port, first.Username, first.Database));
        var second = new Npgsql.NpgsqlConnectionStringBuilder(options.Servers[1].ConnectionString);
        Assert.Equal(("db2", 6432, "other", "app2"), (second.Host, second.Port, second.Username, second.Database));
        Assert.Equal("db3", new Npgsql.NpgsqlConnectionStringBuilder(options.Servers[2].ConnectionString).Host);

        // The command line still wins over the file.
        Assert.Equal("cli", Assert.Single(Resolve("--config", config, "--server", "cli=host=clihost").Servers).Name);

        var unknown = Write("""{ "server": [ { "name": "x", "hots": "db1" } ] }""");
        var error = Assert.Throws<FormatException>(() => Resolve("--config", unknown));
        Assert.Contains("\"hots\"", error.Message, StringComparison.Ordinal);
        var wrongType = Write("""{ "server": [ 42 ] }""");
        Assert.Contains("strings or objects", Assert.Throws<FormatException>(() => Resolve("--config", wrongType)).Message, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        var path = _dir.File($"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static PgTopOptions Resolve(params string[] args) => Resolve(new Dictionary<string, string>(), args);

    private static PgTopOptions Resolve(Dictionary<string, string> env, string[] args)
    {
        var options = new PgTopCommandOptions();
        var command = new Command("pgtop");
        options.AddTo(command);
        var root = new RootCommand { command };
        var parse = root.Parse(["pgtop", .. args]);
        Assert.Empty(parse.Errors);
        return options.Resolve(parse.CommandResult.Command == command ? parse : parse, env.GetValueOrDefault);
    }

    public void Dispose() => _dir.Dispose();
}
