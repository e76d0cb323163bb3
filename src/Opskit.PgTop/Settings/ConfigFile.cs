using System.Text.Json;

namespace Opskit.PgTop.Settings;

/// <summary>
/// The JSON configuration file: top-level keys are long option names without the dashes (<c>"refresh": 1</c>,
/// <c>"slow-threshold": 3</c>, <c>"server": ["prod=postgresql://..."]</c>), and <c>"profiles"</c> holds named
/// sets of the same keys that <c>--profile NAME</c> lays over the top level.
/// </summary>
internal sealed class ConfigFile
{
    private readonly Dictionary<string, JsonElement> _values;

    private ConfigFile(string? path, Dictionary<string, JsonElement> values)
    {
        Path = path;
        _values = values;
    }

    public static ConfigFile Empty { get; } = new(null, []);

    public string? Path { get; }

    /// <summary>Loads <paramref name="path"/> with <paramref name="profile"/> applied. Throws <see cref="FormatException"/> with the file and key.</summary>
    public static ConfigFile Load(string path, string? profile)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{path}: not valid JSON ({ex.Message})", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{path}: the top level must be a JSON object");
            }

            var values = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
            JsonElement? profiles = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("profiles"))
                {
                    profiles = property.Value.Clone();
                    continue;
                }

                values[property.Name] = property.Value.Clone();
            }

            if (profile is not null)
            {
                if (profiles is not { ValueKind: JsonValueKind.Object } p || !p.TryGetProperty(profile, out var selected) || selected.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"{path}: no profile '{profile}' under \"profiles\"");
                }

                foreach (var property in selected.EnumerateObject())
                {
                    values[property.Name] = property.Value.Clone();
                }
            }

            return new ConfigFile(path, values);
        }
    }

    public bool TryGet(string key, out JsonElement value) => _values.TryGetValue(key, out value);

    /// <summary>The keys present, to reject unknown ones.</summary>
    public IEnumerable<string> Keys => _values.Keys;
}
