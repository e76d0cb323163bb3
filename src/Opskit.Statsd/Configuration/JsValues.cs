using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Configuration;

/// <summary>JavaScript's view of configuration values: truthiness, <c>Number(x)</c>, <c>String(x)</c>.</summary>
internal static class JsValues
{
    public static bool Truthy(JsonNode? node) => node switch
    {
        null => false,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when TryNumber(v, out var d) => d != 0 && !double.IsNaN(d),
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length > 0,
        _ => true,
    };

    /// <summary><c>Number(x)</c>; NaN when not a number.</summary>
    public static double Number(JsonNode? node) => node switch
    {
        null => 0,
        JsonValue v when TryNumber(v, out var d) => d,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? 1 : 0,
        JsonValue v when v.TryGetValue<string>(out var s) => JsNumber.TryParse(Encoding.UTF8.GetBytes(s), out var n) ? n : double.NaN,
        _ => double.NaN,
    };

    public static bool IsNumber(JsonNode? node) => node is JsonValue v && TryNumber(v, out _);

    /// <summary>A numeric JSON value of any CLR numeric type, as a double.</summary>
    public static bool TryNumber(JsonValue value, out double number)
    {
        if (value.TryGetValue(out number))
        {
            return true;
        }

        if (value.TryGetValue<int>(out var i))
        {
            number = i;
            return true;
        }

        if (value.TryGetValue<long>(out var l))
        {
            number = l;
            return true;
        }

        if (value.GetValueKind() == JsonValueKind.Number)
        {
            number = value.GetValue<JsonElement>().GetDouble();
            return true;
        }

        number = 0;
        return false;
    }

    /// <summary><c>String(x)</c> as Etsy's <c>config</c> command prints it.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when TryNumber(v, out var d) => JsNumber.ToJsString(d),
        JsonArray a => string.Join(",", a.Select(e => e is null ? string.Empty : Text(e))),
        JsonObject => "[object Object]",
        _ => node.ToJsonString(new JsonSerializerOptions()),
    };

    public static string? OptionalString(JsonObject config, string key) =>
        config[key] is JsonNode node ? Text(node) : null;
}
