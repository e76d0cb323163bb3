using System.Globalization;
using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>Builds fixes for server variables the way each flavour and version applies them.</summary>
internal static class Fixes
{
    /// <summary>
    /// <c>name = value</c> for <c>my.cnf</c>, plus the statement for the running server: <c>SET PERSIST</c> on MySQL 8.0+
    /// (<c>SET PERSIST_ONLY</c> and a restart for read-only variables), <c>SET GLOBAL</c> elsewhere, or a restart.
    /// </summary>
    public static Fix Setting(ServerVersion version, string name, string value, bool dynamic)
    {
        var literal = IsBareLiteral(value) ? value : $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
        var persist = version.Flavor == ServerFlavor.MySql && version.AtLeast(8, 0, 0);
        if (dynamic)
        {
            return new([$"{name} = {value}"], [persist ? $"SET PERSIST {name} = {literal};" : $"SET GLOBAL {name} = {literal};"], []);
        }

        return persist
            ? new([$"{name} = {value}"], [$"SET PERSIST_ONLY {name} = {literal};"], ["restart the server (the variable is read-only at runtime)"])
            : new([$"{name} = {value}"], [], ["restart the server (the variable is read-only at runtime)"]);
    }

    /// <summary>The statement keyword for replication on this server: REPLICA (MySQL 8.0.22+, MariaDB 10.5.1+) or SLAVE.</summary>
    public static string ReplicaWord(ServerVersion version) =>
        (version.Flavor == ServerFlavor.MySql && version.AtLeast(8, 0, 22)) || (version.Flavor == ServerFlavor.MariaDb && version.AtLeast(10, 5, 1))
            ? "REPLICA" : "SLAVE";

    /// <summary>True for ON/OFF and numbers, which SET takes without quotes.</summary>
    private static bool IsBareLiteral(string value) =>
        value is "ON" or "OFF" || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>True when a variable reads as enabled (ON, 1, TRUE).</summary>
    public static bool IsOn(string? value) =>
        value is not null && (value.Equals("ON", StringComparison.OrdinalIgnoreCase) || value == "1" || value.Equals("TRUE", StringComparison.OrdinalIgnoreCase));

    /// <summary>The integer value of a variable, or null.</summary>
    public static long? Number(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? (long)number : null;

    /// <summary>A duration in words: <c>14d</c>, <c>3h</c>, <c>90s</c>.</summary>
    public static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0}d"
        : span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0}h"
        : $"{span.TotalSeconds:0}s";
}
