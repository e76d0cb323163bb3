using System.CommandLine;

namespace Opskit.Core.Cli;

/// <summary>
/// The one colour switch of the command-line tools: <c>--color auto|always|never</c>. <c>auto</c> colours only
/// when standard output is a terminal and <c>NO_COLOR</c> is unset or empty (https://no-color.org).
/// </summary>
public static class ColorOption
{
    /// <summary>The option, with <c>auto</c> as its default.</summary>
    public static Option<string> Create()
    {
        var option = new Option<string>("--color")
        {
            Description = "Colours: auto (only on a terminal, not with NO_COLOR), always, never.",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("auto", "always", "never");
        return option;
    }

    /// <summary>Whether to colour, from the option's value and this process's standard output and environment.</summary>
    public static bool Enabled(string? choice) =>
        Enabled(choice, Console.IsOutputRedirected, Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>Whether to colour: <paramref name="choice"/> <c>always</c>/<c>never</c> win; <c>auto</c> (or none) asks for a terminal and no <c>NO_COLOR</c>.</summary>
    public static bool Enabled(string? choice, bool outputRedirected, string? noColor) => choice switch
    {
        "always" => true,
        "never" => false,
        _ => !outputRedirected && string.IsNullOrEmpty(noColor),
    };
}
