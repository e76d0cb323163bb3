using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Opskit.Cluster.Http;

/// <summary>Typed access to request fields with problem documents that name the field on error.</summary>
internal static class Fields
{
    /// <summary>
    /// A required list of strings (or, when <paramref name="allowSingle"/>, one string). Returns null and an
    /// error when the field is missing, of the wrong type, has a non-string item, or has too many items.
    /// </summary>
    public static List<string>? Strings(JsonElement parent, string field, bool allowSingle, int maxItems, out IResult? error, string? path = null)
    {
        var name = path ?? field;
        error = null;
        if (!parent.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            error = Problems.BadField(name, $"'{name}' is required");
            return null;
        }

        if (allowSingle && value.ValueKind == JsonValueKind.String)
        {
            return Text(value, name, out var single, out error) ? [single] : null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            error = Problems.BadField(name, allowSingle ? $"'{name}' must be a string or an array of strings" : $"'{name}' must be an array of strings");
            return null;
        }

        var count = value.GetArrayLength();
        if (count > maxItems)
        {
            error = Problems.TooLarge(name, $"'{name}' has {count} items; the limit is {maxItems}");
            return null;
        }

        var result = new List<string>(count);
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                error = Problems.BadField($"{name}[{index}]", $"'{name}[{index}]' must be a string, not {Describe(item.ValueKind)}");
                return null;
            }

            if (!Text(item, $"{name}[{index}]", out var text, out error))
            {
                return null;
            }

            result.Add(text);
            index++;
        }

        return result;
    }

    public static string? String(JsonElement parent, string field, out IResult? error)
    {
        error = null;
        if (!parent.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            error = Problems.BadField(field, $"'{field}' must be a string");
            return null;
        }

        return Text(value, field, out var text, out error) ? text : null;
    }

    /// <summary>
    /// The text of a JSON string, or a 400 naming <paramref name="name"/> when it is not text: invalid UTF-8
    /// bytes or a lone surrogate escape such as <c>\ud800</c>. The parser checks neither (it only finds the end
    /// of the string), and <see cref="JsonElement.GetString"/> throws on both when it transcodes.
    /// </summary>
    public static bool Text(JsonElement value, string name, out string text, out IResult? error)
    {
        error = null;
        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = string.Empty;
            error = Problems.BadField(name, $"'{name}' is not valid text: it holds bytes that are not UTF-8 or a lone surrogate escape (\\ud800-\\udfff without its pair)");
            return false;
        }
    }

    public static bool? Boolean(JsonElement parent, string field, out IResult? error)
    {
        error = null;
        if (!parent.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            error = Problems.BadField(field, $"'{field}' must be true or false");
            return null;
        }

        return value.GetBoolean();
    }

    public static double? Number(JsonElement parent, string field, double min, double max, out IResult? error)
    {
        error = null;
        if (!parent.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number < min || number > max)
        {
            error = Problems.BadField(field, string.Create(CultureInfo.InvariantCulture, $"'{field}' must be a number from {min} to {max}"));
            return null;
        }

        return number;
    }

    public static int? Integer(JsonElement parent, string field, int min, int max, out IResult? error)
    {
        error = null;
        if (!parent.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
        {
            error = Problems.BadField(field, string.Create(CultureInfo.InvariantCulture, $"'{field}' must be an integer from {min} to {max}"));
            return null;
        }

        return number;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
