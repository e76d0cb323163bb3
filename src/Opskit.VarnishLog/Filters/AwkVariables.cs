using System.Globalization;

namespace Opskit.VarnishLog.Filters;

/// <summary>The original script's <c>-v name=value</c> options, mapped onto <see cref="FilterSettings"/>.</summary>
internal static class AwkVariables
{
    /// <summary>The names the original understands, in its documentation order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "show_req_headers", "show_resp_headers", "client_match", "req_headers_match", "resp_headers_match",
        "req_method", "only_hits", "only_misses", "only_status", "only_slow", "url_match",
    ];

    /// <summary>Applies <c>name=value</c> assignments over <paramref name="settings"/>; <see cref="FormatException"/> when one is unknown.</summary>
    public static FilterSettings Apply(FilterSettings settings, IEnumerable<string> assignments)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(assignments);
        foreach (var assignment in assignments)
        {
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"-v {assignment}: expected name=value (one of {string.Join(", ", Names)})");
            }

            var name = assignment[..equals];
            var value = assignment[(equals + 1)..];
            settings = name switch
            {
                "show_req_headers" => settings with { ShowRequestHeaders = Flag(name, value) },
                "show_resp_headers" => settings with { ShowResponseHeaders = Flag(name, value) },
                "client_match" => settings with { ClientMatch = value },
                "req_headers_match" => settings with { ReqHeadersMatch = value },
                "resp_headers_match" => settings with { RespHeadersMatch = value },
                "req_method" => settings with { ReqMethod = value },
                "only_hits" => settings with { OnlyHits = Flag(name, value) },
                "only_misses" => settings with { OnlyMisses = Flag(name, value) },
                "only_status" => settings with { OnlyStatus = value },
                "only_slow" => settings with { OnlySlow = Slow(value) },
                "url_match" => settings with { UrlMatch = value },
                _ => throw new FormatException($"-v {name}: unknown variable (one of {string.Join(", ", Names)})"),
            };
        }

        return settings;
    }

    /// <summary>The original's only_slow: milliseconds, with 1 meaning 1000 and 0 meaning off.</summary>
    public static double? Slow(string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) || ms < 0)
        {
            throw new FormatException($"only_slow: '{value}' is not a number of milliseconds");
        }

        return ms == 0 ? null : ms == 1 ? 1000 : ms;
    }

    private static bool Flag(string name, string value) => value switch
    {
        "1" or "true" or "yes" => true,
        "0" or "false" or "no" or "" => false,
        _ => throw new FormatException($"-v {name}={value}: expected 0 or 1"),
    };
}
