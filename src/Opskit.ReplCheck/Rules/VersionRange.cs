using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>Which servers a rule applies to: a flavour (or any) and a half-open version interval.</summary>
/// <param name="Flavor">MySQL or MariaDB; null for both.</param>
/// <param name="From">First version included; null for no lower bound.</param>
/// <param name="Before">First version excluded; null for no upper bound.</param>
public sealed record VersionRange(ServerFlavor? Flavor, (int Major, int Minor, int Patch)? From = null, (int Major, int Minor, int Patch)? Before = null)
{
    /// <summary>Every flavour and version.</summary>
    public static VersionRange Any { get; } = new(Flavor: null);

    /// <summary>True when <paramref name="version"/> is inside the range.</summary>
    public bool Contains(ServerVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var v = (version.Major, version.Minor, version.Patch);
        return (Flavor is null || Flavor == version.Flavor)
            && (From is not { } from || v.CompareTo(from) >= 0)
            && (Before is not { } before || v.CompareTo(before) < 0);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var who = Flavor switch { ServerFlavor.MySql => "MySQL", ServerFlavor.MariaDb => "MariaDB", _ => "MySQL and MariaDB" };
        var from = From is { } f ? $" >= {f.Major}.{f.Minor}.{f.Patch}" : string.Empty;
        var before = Before is { } b ? $" < {b.Major}.{b.Minor}.{b.Patch}" : string.Empty;
        return who + from + before + (From is null && Before is null && Flavor is not null ? " (all versions)" : string.Empty);
    }
}
