using Opskit.PgTop.Settings;

namespace Opskit.PgTop.Tests.Settings;

public sealed class ConnectionInfoTests
{
    [Theory]
    [InlineData("postgresql://alice:s%40cret@db1.example:5433/app?sslmode=require", "db1.example", 5433, "alice", "s@cret", "app")]
    [InlineData("postgres://db2/stats", "db2", 5432, null, null, "stats")]
    [InlineData("postgresql://bob@[::1]:6000/x", "::1", 6000, "bob", null, "x")]
    [InlineData("host=db3 port=5434 user=carol dbname='my db' password='it\\'s'", "db3", 5434, "carol", "it's", "my db")]
    [InlineData("Host=db4;Port=5435;Username=dave;Database=d", "db4", 5435, "dave", null, "d")]
    public void Parses_uri_keyword_value_and_npgsql_forms(string text, string host, int port, string? user, string? password, string database)
    {
        var builder = ConnectionInfo.Parse(text);
        Assert.Equal(host, builder.Host);
        Assert.Equal(port, builder.Port);
        Assert.Equal(user, builder.Username);
        Assert.Equal(password, builder.Password);
        Assert.Equal(database, builder.Database);
    }

    [Theory]
    [InlineData("prod=postgresql://db/app", "prod", "postgresql://db/app")]
    [InlineData("replica=host=db2 port=5433", "replica", "host=db2 port=5433")]
    [InlineData("host=db2 port=5433", null, "host=db2 port=5433")]
    [InlineData("postgresql://db/app?sslmode=disable", null, "postgresql://db/app?sslmode=disable")]
    [InlineData("Host=db;Port=1", null, "Host=db;Port=1")]
    public void Server_values_may_carry_a_name(string value, string? name, string conninfo)
    {
        Assert.Equal((name, conninfo), ConnectionInfo.SplitNamed(value));
    }

    [Theory]
    [InlineData("host=x port=notaport")]
    [InlineData("host=x nosuchkey=1")]
    [InlineData("host='unterminated")]
    [InlineData("postgresql://h:99999/d")]
    public void Bad_connection_strings_are_format_errors(string text)
    {
        Assert.Throws<FormatException>(() => ConnectionInfo.Parse(text));
    }

    [Fact]
    public void Environment_fills_what_the_command_line_left_unset()
    {
        var env = new Dictionary<string, string> { ["PGHOST"] = "envhost", ["PGPORT"] = "6543", ["PGUSER"] = "envuser", ["PGPASSWORD"] = "pw" };
        var builder = ConnectionInfo.Parse("host=clihost");
        ConnectionInfo.ApplyDefaults(builder, env.GetValueOrDefault, service: null);
        Assert.Equal("clihost", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("envuser", builder.Username);
        Assert.Equal("envuser", builder.Database);
        Assert.Equal("pw", builder.Password);

        var explicitPort = ConnectionInfo.Parse("port=5432");
        ConnectionInfo.ApplyDefaults(explicitPort, env.GetValueOrDefault, service: null);
        Assert.Equal(5432, explicitPort.Port);
    }

    [Fact]
    public void Service_file_entries_are_used_for_pgservice()
    {
        using var dir = new Opskit.Testing.TempDirectory();
        File.WriteAllText(dir.File("services.conf"), "[other]\nhost=nothere\n\n[reporting]\n# comment\nhost=svc-host\nport=7777\ndbname=reports\n");
        var env = new Dictionary<string, string> { ["PGSERVICEFILE"] = dir.File("services.conf"), ["PGSERVICE"] = "reporting", ["PGUSER"] = "u" };
        var builder = ConnectionInfo.Parse("Database=override");
        ConnectionInfo.ApplyDefaults(builder, env.GetValueOrDefault, service: null);
        Assert.Equal("svc-host", builder.Host);
        Assert.Equal(7777, builder.Port);
        Assert.Equal("override", builder.Database);
    }
}
