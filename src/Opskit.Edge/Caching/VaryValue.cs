using Microsoft.Extensions.Primitives;

namespace Opskit.Edge.Caching;

/// <summary>
/// A request header's value as a Vary key: RFC 9111 §4.1 lets requests match when their selecting fields differ only
/// by whitespace where the list syntax allows it and by being one line or several. So the lines are joined with a
/// comma and whitespace around commas and at the ends is dropped (never inside a quoted string); case and order stay
/// (they can mean something). One clean line, the usual case, is returned as it is, without allocating.
/// </summary>
internal static class VaryValue
{
    public static string Normalize(StringValues values)
    {
        if (values.Count == 0)
        {
            return string.Empty;
        }

        if (values.Count == 1 && IsNormal(values[0]!))
        {
            return values[0]!;
        }

        var text = new System.Text.StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(values[i]);
        }

        return Squeeze(text.ToString());
    }

    private static bool IsNormal(string value)
    {
        if (value.Length > 0 && (IsSpace(value[0]) || IsSpace(value[^1])))
        {
            return false;
        }

        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (quoted && c == '\\')
            {
                i++;
            }
            else if (!quoted && c == ',' && ((i > 0 && IsSpace(value[i - 1])) || (i + 1 < value.Length && IsSpace(value[i + 1]))))
            {
                return false;
            }
        }

        return true;
    }

    private static string Squeeze(string value)
    {
        var text = new System.Text.StringBuilder(value.Length);
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (quoted)
            {
                text.Append(c);
                if (c == '\\' && i + 1 < value.Length)
                {
                    text.Append(value[++i]);
                }
                else if (c == '"')
                {
                    quoted = false;
                }

                continue;
            }

            if (c == '"')
            {
                quoted = true;
                text.Append(c);
            }
            else if (c == ',')
            {
                while (text.Length > 0 && IsSpace(text[^1]))
                {
                    text.Length--;
                }

                text.Append(',');
                while (i + 1 < value.Length && IsSpace(value[i + 1]))
                {
                    i++;
                }
            }
            else if (!(IsSpace(c) && text.Length == 0))
            {
                text.Append(c);
            }
        }

        while (text.Length > 0 && IsSpace(text[^1]))
        {
            text.Length--;
        }

        return text.ToString();
    }

    private static bool IsSpace(char c) => c is ' ' or '\t';
}
