using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Tests.Server;

public sealed class ServerVersionTests
{
    [Theory]
    [InlineData("10.11.19-MariaDB-0+deb12u1-log", "Debian 12", ServerFlavor.MariaDb, 10, 11, 19, false)]
    [InlineData("5.5.5-10.5.23-MariaDB", "mariadb.org binary distribution", ServerFlavor.MariaDb, 10, 5, 23, false)]
    [InlineData("11.4.2-MariaDB", "MariaDB Server", ServerFlavor.MariaDb, 11, 4, 2, false)]
    [InlineData("5.7.44-log", "MySQL Community Server (GPL)", ServerFlavor.MySql, 5, 7, 44, false)]
    [InlineData("8.0.36", "MySQL Community Server - GPL", ServerFlavor.MySql, 8, 0, 36, false)]
    [InlineData("8.4.3", "MySQL Community Server - GPL", ServerFlavor.MySql, 8, 4, 3, false)]
    [InlineData("9.1.0-commercial", "MySQL Enterprise Server - Commercial", ServerFlavor.MySql, 9, 1, 0, false)]
    [InlineData("8.0.35-27", "Percona Server (GPL), Release 27, Revision 2f8eeab2", ServerFlavor.MySql, 8, 0, 35, true)]
    public void Parses_flavor_and_version(string version, string comment, ServerFlavor flavor, int major, int minor, int patch, bool percona)
    {
        var parsed = ServerVersion.Parse(version, comment);
        Assert.NotNull(parsed);
        Assert.Equal((flavor, major, minor, patch, percona), (parsed.Flavor, parsed.Major, parsed.Minor, parsed.Patch, parsed.IsPercona));
    }

    [Theory]
    [InlineData("")]
    [InlineData("MariaDB")]
    [InlineData("8.0")]
    [InlineData("8.x.1")]
    [InlineData("99999999999.0.0")]
    public void Rejects_text_that_is_not_a_version(string version) => Assert.Null(ServerVersion.Parse(version, null));

    [Fact]
    public void Compares_by_numbers()
    {
        var version = ServerVersion.Parse("8.0.23", null)!;
        Assert.True(version.AtLeast(8, 0, 23));
        Assert.False(version.AtLeast(8, 0, 24));
        Assert.True(version.AtLeast(5, 7));
    }
}
