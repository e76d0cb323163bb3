using System.Text;

namespace Opskit.Core.Metrics;

/// <summary>
/// Prometheus names for <c>System.Diagnostics.Metrics</c> instruments, after the OpenTelemetry compatibility rules:
/// characters Prometheus does not allow become <c>_</c>, the unit is appended as a word and counters end in
/// <c>_total</c>.
/// </summary>
public static class PrometheusNames
{
    /// <summary>The family name of an instrument called <paramref name="name"/> measured in <paramref name="unit"/>.</summary>
    public static string Family(string name, string? unit, bool counter)
    {
        ArgumentNullException.ThrowIfNull(name);
        var family = Sanitize(name, allowColon: true);
        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !family.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            family += "_" + suffix;
        }

        if (counter && !family.EndsWith("_total", StringComparison.Ordinal))
        {
            family += "_total";
        }

        return family;
    }

    /// <summary>A label name: letters, digits and underscores, not starting with a digit.</summary>
    public static string Label(string name) => Sanitize(name, allowColon: false);

    private static string UnitSuffix(string? unit) => unit switch
    {
        null or "" or "1" => string.Empty,
        "s" => "seconds",
        "ms" => "milliseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "%" => "percent",
        _ when unit.StartsWith('{') => string.Empty, // an annotation such as {request} names what is counted, not a unit
        _ => Sanitize(unit, allowColon: false).Trim('_'),
    };

    private static string Sanitize(string name, bool allowColon)
    {
        var text = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            var allowed = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            text.Append(allowed ? c : '_');
        }

        if (text.Length == 0 || char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }
}
