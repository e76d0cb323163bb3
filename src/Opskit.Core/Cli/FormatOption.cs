using System.CommandLine;

namespace Opskit.Core.Cli;

/// <summary>
/// The one output switch of the command-line tools: <c>--format NAME</c>, the first name being the one for people
/// and the default. Machines ask for <c>json</c> (one document) or <c>ndjson</c> (one object per line) where a tool
/// offers them; an unknown name is a usage error that lists the accepted ones.
/// </summary>
public static class FormatOption
{
    /// <summary>An option accepting <paramref name="formats"/> (case-insensitive), the first of them by default.</summary>
    public static Option<string> Create(string what, params string[] formats)
    {
        ArgumentNullException.ThrowIfNull(formats);
        if (formats.Length == 0)
        {
            throw new ArgumentException("at least one format", nameof(formats));
        }

        var option = new Option<string>("--format")
        {
            Description = $"{what}: {string.Join(", ", formats)} [{formats[0]}].",
            DefaultValueFactory = _ => formats[0],
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : formats[0];
                foreach (var format in formats)
                {
                    if (string.Equals(format, text, StringComparison.OrdinalIgnoreCase))
                    {
                        return format;
                    }
                }

                result.AddError($"--format {text}: not one of {string.Join(", ", formats)}");
                return formats[0];
            },
        };
        return option;
    }
}
