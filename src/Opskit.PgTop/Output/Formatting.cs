using System.Globalization;

namespace Opskit.PgTop.Output;

/// <summary>Short human forms of durations, sizes and rates for the table and the TUI.</summary>
internal static class Formatting
{
    public static string Duration(double? seconds)
    {
        if (seconds is not { } s || s < 0)
        {
            return string.Empty;
        }

        return s switch
        {
            < 60 => s.ToString("0.00", CultureInfo.InvariantCulture) + "s",
            < 3600 => $"{(int)(s / 60)}m{(int)(s % 60):00}s",
            < 86400 => $"{(int)(s / 3600)}h{(int)(s % 3600 / 60):00}m",
            _ => $"{(int)(s / 86400)}d{(int)(s % 86400 / 3600):00}h",
        };
    }

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " kB",
        < 1024L * 1024 * 1024 => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1073741824.0).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
    };

    public static string Rate(double? value, bool reset) =>
        reset ? "reset" : value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    /// <summary>The query on one line: whitespace runs collapsed to one space.</summary>
    public static string OneLine(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return string.Empty;
        }

        var buffer = new char[query.Length];
        var n = 0;
        var space = false;
        foreach (var c in query)
        {
            if (char.IsWhiteSpace(c))
            {
                space = n > 0;
                continue;
            }

            if (space)
            {
                buffer[n++] = ' ';
                space = false;
            }

            buffer[n++] = c;
        }

        return new string(buffer, 0, n);
    }

    /// <summary>Pads or cuts <paramref name="text"/> to exactly <paramref name="width"/> characters.</summary>
    public static string Fit(string? text, int width, bool right = false)
    {
        text ??= string.Empty;
        if (width <= 0)
        {
            return string.Empty;
        }

        if (text.Length > width)
        {
            return width == 1 ? text[..1] : text[..(width - 1)] + "…";
        }

        return right ? text.PadLeft(width) : text.PadRight(width);
    }
}
