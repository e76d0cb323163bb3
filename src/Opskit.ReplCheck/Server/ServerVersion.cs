using System.Globalization;

namespace Opskit.ReplCheck.Server;

/// <summary>Flavour and version of a server, parsed from <c>@@version</c> and <c>@@version_comment</c>.</summary>
/// <param name="Flavor">MySQL (Percona Server included) or MariaDB.</param>
/// <param name="Major">Major version, e.g. 8 or 10.</param>
/// <param name="Minor">Minor version, e.g. 0 or 11.</param>
/// <param name="Patch">Patch version, e.g. 23.</param>
/// <param name="Text">The version text as the server reported it.</param>
/// <param name="IsPercona">True for Percona Server, which is checked as MySQL.</param>
public sealed record ServerVersion(ServerFlavor Flavor, int Major, int Minor, int Patch, string Text, bool IsPercona = false)
    : IComparable<ServerVersion>
{
    /// <summary>Parses <paramref name="version"/> (e.g. <c>10.11.19-MariaDB-0+deb12u1-log</c>, <c>8.0.36-28</c>).</summary>
    /// <returns>The version, or null when the text does not start with <c>major.minor.patch</c>.</returns>
    public static ServerVersion? Parse(string version, string? versionComment)
    {
        ArgumentNullException.ThrowIfNull(version);
        var text = version;

        // MariaDB 10.x behind old replication used to report "5.5.5-10.x.y-MariaDB"; the real version follows the prefix.
        if (text.StartsWith("5.5.5-", StringComparison.Ordinal) && text.Contains("MariaDB", StringComparison.OrdinalIgnoreCase))
        {
            text = text[6..];
        }

        var numbers = new int[3];
        var part = 0;
        var i = 0;
        while (part < 3)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || !int.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out numbers[part]))
            {
                return null;
            }

            part++;
            if (part < 3)
            {
                if (i >= text.Length || text[i] != '.')
                {
                    return null;
                }

                i++;
            }
        }

        var mariaDb = version.Contains("MariaDB", StringComparison.OrdinalIgnoreCase)
            || (versionComment?.Contains("MariaDB", StringComparison.OrdinalIgnoreCase) ?? false);
        var percona = versionComment?.Contains("Percona", StringComparison.OrdinalIgnoreCase) ?? false;
        return new ServerVersion(mariaDb ? ServerFlavor.MariaDb : ServerFlavor.MySql, numbers[0], numbers[1], numbers[2], version, percona && !mariaDb);
    }

    /// <summary>True when this version is at least <paramref name="major"/>.<paramref name="minor"/>.<paramref name="patch"/>.</summary>
    public bool AtLeast(int major, int minor, int patch = 0) =>
        (Major, Minor, Patch).CompareTo((major, minor, patch)) >= 0;

    /// <summary>Display name, e.g. <c>MariaDB 10.11.19</c> or <c>Percona Server 8.0.36</c>.</summary>
    public string DisplayName =>
        $"{(Flavor == ServerFlavor.MariaDb ? "MariaDB" : IsPercona ? "Percona Server" : "MySQL")} {Major}.{Minor}.{Patch}";

    /// <inheritdoc />
    public int CompareTo(ServerVersion? other) =>
        other is null ? 1 : (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
}
