using System.Globalization;

namespace Opskit.ReplCheck;

/// <summary>Durations on the command line: <c>500ms</c>, <c>90</c> or <c>90s</c>, <c>30m</c>, <c>12h</c>, <c>14d</c>.</summary>
internal static class DurationText
{
    /// <exception cref="FormatException">Not a positive number with one of the units.</exception>
    public static TimeSpan Parse(string text, string option)
    {
        var trimmed = text.Trim();
        var (number, scale) = trimmed switch
        {
            _ when trimmed.EndsWith("ms", StringComparison.Ordinal) => (trimmed[..^2], 0.001),
            _ when trimmed.EndsWith('s') => (trimmed[..^1], 1.0),
            _ when trimmed.EndsWith('m') => (trimmed[..^1], 60.0),
            _ when trimmed.EndsWith('h') => (trimmed[..^1], 3600.0),
            _ when trimmed.EndsWith('d') => (trimmed[..^1], 86400.0),
            _ => (trimmed, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0 || double.IsInfinity(value))
        {
            throw new FormatException($"{option}: '{text}' is not a positive duration (e.g. 500ms, 5s, 30m, 12h, 14d)");
        }

        return TimeSpan.FromSeconds(value * scale);
    }
}
