using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Opskit.PgTop.Settings;

/// <summary>
/// One value per option: the command line when the option was given there, else the configuration file (profile
/// first), else the option's default. The file's key is the option's long name without the dashes.
/// </summary>
internal sealed class OptionResolver
{
    private readonly ParseResult _parse;
    private readonly ConfigFile _config;

    public OptionResolver(ParseResult parse, ConfigFile config)
    {
        _parse = parse;
        _config = config;
    }

    public static string Key(Option option) => option.Name.TrimStart('-');

    public bool GivenOnCommandLine(Option option) => _parse.GetResult(option) is { Implicit: false };

    /// <summary>The configuration file, for messages that name it.</summary>
    public string? ConfigPath => _config.Path;

    /// <summary>The file's raw value of <paramref name="option"/> when the command line does not give it.</summary>
    public bool TryGetFromConfig(Option option, out JsonElement element)
    {
        ArgumentNullException.ThrowIfNull(option);
        element = default;
        return !GivenOnCommandLine(option) && _config.TryGet(Key(option), out element);
    }

    public T Get<T>(Option<T> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        if (GivenOnCommandLine(option) || !_config.TryGet(Key(option), out var element))
        {
            return _parse.GetValue(option)!;
        }

        try
        {
            return Convert<T>(element);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or JsonException or OverflowException)
        {
            throw new FormatException($"{_config.Path}: \"{Key(option)}\" has an invalid value ({element.GetRawText()})", ex);
        }
    }

    private static T Convert<T>(JsonElement element)
    {
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (element.ValueKind == JsonValueKind.Null)
        {
            return default!;
        }

        object value = type switch
        {
            _ when type == typeof(string) => element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText(),
            _ when type == typeof(bool) => element.GetBoolean(),
            _ when type == typeof(int) => element.ValueKind == JsonValueKind.String ? int.Parse(element.GetString()!, CultureInfo.InvariantCulture) : element.GetInt32(),
            _ when type == typeof(double) => element.ValueKind == JsonValueKind.String ? double.Parse(element.GetString()!, CultureInfo.InvariantCulture) : element.GetDouble(),
            _ when type == typeof(string[]) => element.ValueKind == JsonValueKind.Array
                ? element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToArray()
                : [element.GetString()!],
            _ when type == typeof(FileInfo) => new FileInfo(ExpandHome(element.GetString()!)),
            _ => throw new InvalidOperationException($"unsupported option type {type.Name}"),
        };
        return (T)value;
    }

    internal static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
