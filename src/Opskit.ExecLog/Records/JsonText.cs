using System.Globalization;
using System.Text;

namespace Opskit.ExecLog.Records;

/// <summary>
/// The few JSON pieces the record needs, written into a <see cref="StringBuilder"/>. Hand-written rather than
/// System.Text.Json because loading that assembly and its encoder cost the wrapper about 10 ms of CPU per run
/// (bench/execlog), more than everything else it does after the child exits.
/// </summary>
internal static class JsonText
{
    /// <summary>Appends <paramref name="value"/> as a JSON string (or null): quotes, backslashes and every control character escaped, U+2028/2029 too.</summary>
    public static StringBuilder String(StringBuilder json, string? value)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (value is null)
        {
            return json.Append("null");
        }

        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                default:
                    if (c < 0x20 || c is '\u007f' or '\u2028' or '\u2029')
                    {
                        json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        json.Append(c);
                    }

                    break;
            }
        }

        return json.Append('"');
    }

    /// <summary>Appends <c>"name":</c> after a comma unless it is the object's first member.</summary>
    public static StringBuilder Name(StringBuilder json, string name)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > 0 && json[^1] is not ('{' or '['))
        {
            json.Append(',');
        }

        return String(json, name).Append(':');
    }

    /// <summary>A number with up to six decimals, invariant culture.</summary>
    public static StringBuilder Seconds(StringBuilder json, double value) =>
        json.Append(Math.Round(value, 6).ToString("0.######", CultureInfo.InvariantCulture));

    /// <summary>An integer or null.</summary>
    public static StringBuilder Number(StringBuilder json, long? value) =>
        value is { } number ? json.Append(number) : json.Append("null");
}
