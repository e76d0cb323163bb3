using System.Text;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Admin;

/// <summary>
/// Node.js <c>util.inspect</c> (defaults: breakLength 80, compact 3, maxArrayLength 100) for the values Etsy
/// prints with it: objects of numbers, arrays and nested objects. Used by the management <c>counters</c>,
/// <c>timers</c>, <c>gauges</c> commands and the console backend so their output matches Etsy's.
/// </summary>
internal static class JsInspect
{
    private const int BreakLength = 80;
    private const int Compact = 3;
    private const int MaxArrayLength = 100;

    /// <summary>Formats <paramref name="value"/>: a double, string, bool, <see cref="JsObject"/> or <see cref="IReadOnlyList{T}"/> of object.</summary>
    public static string Format(object? value, int depth = 2)
    {
        var ctx = new Context { Depth = depth };
        return FormatValue(ctx, value, 0);
    }

    private sealed class Context
    {
        public int IndentationLvl;
        public int CurrentDepth;
        public int Depth;
    }

    private static string FormatValue(Context ctx, object? value, int recurseTimes) => value switch
    {
        null => "null",
        double d => FormatNumber(d),
        int i => FormatNumber(i),
        long l => FormatNumber(l),
        bool b => b ? "true" : "false",
        string s => Quote(s),
        JsObject o => FormatObject(ctx, o, recurseTimes),
        IReadOnlyList<object?> a => FormatArray(ctx, a, recurseTimes),
        _ => value.ToString() ?? string.Empty,
    };

    private static string FormatNumber(double d) => d == 0 && double.IsNegative(d) ? "-0" : JsNumber.ToJsString(d);

    private static string FormatObject(Context ctx, JsObject o, int recurseTimes)
    {
        if (o.Count == 0)
        {
            return "{}";
        }

        if (recurseTimes > ctx.Depth)
        {
            return "[Object]";
        }

        ctx.CurrentDepth = recurseTimes;
        var output = new List<string>(o.Count);
        foreach (var (key, value) in o.Ordered())
        {
            ctx.IndentationLvl += 2;
            var formatted = FormatValue(ctx, value, recurseTimes + 1);
            ctx.IndentationLvl -= 2;
            output.Add($"{FormatKey(key)}: {formatted}");
        }

        return Reduce(ctx, output, "{", "}", isArray: false, recurseTimes, null);
    }

    private static string FormatArray(Context ctx, IReadOnlyList<object?> a, int recurseTimes)
    {
        if (a.Count == 0)
        {
            return "[]";
        }

        if (recurseTimes > ctx.Depth)
        {
            return "[Array]";
        }

        ctx.CurrentDepth = recurseTimes;
        var output = new List<string>(Math.Min(a.Count, MaxArrayLength) + 1);
        for (var i = 0; i < a.Count && i < MaxArrayLength; i++)
        {
            ctx.IndentationLvl += 2;
            output.Add(FormatValue(ctx, a[i], recurseTimes + 1));
            ctx.IndentationLvl -= 2;
        }

        if (a.Count > MaxArrayLength)
        {
            var remaining = a.Count - MaxArrayLength;
            output.Add($"... {remaining} more item{(remaining > 1 ? "s" : string.Empty)}");
        }

        return Reduce(ctx, output, "[", "]", isArray: true, recurseTimes, a);
    }

    private static string Reduce(Context ctx, List<string> output, string open, string close, bool isArray, int recurseTimes, IReadOnlyList<object?>? value)
    {
        var entries = output.Count;
        if (isArray && entries > 6)
        {
            output = GroupArrayElements(ctx, output, value!);
        }

        if (ctx.CurrentDepth - recurseTimes < Compact && entries == output.Count)
        {
            var start = output.Count + ctx.IndentationLvl + open.Length + 10;
            if (IsBelowBreakLength(output, start))
            {
                var joined = string.Join(", ", output);
                if (!joined.Contains('\n', StringComparison.Ordinal))
                {
                    return $"{open} {joined} {close}";
                }
            }
        }

        var indentation = "\n" + new string(' ', ctx.IndentationLvl);
        return $"{open}{indentation}  {string.Join($",{indentation}  ", output)}{indentation}{close}";
    }

    private static bool IsBelowBreakLength(List<string> output, int start)
    {
        var total = output.Count + start;
        if (total + output.Count > BreakLength)
        {
            return false;
        }

        foreach (var entry in output)
        {
            total += entry.Length;
            if (total > BreakLength)
            {
                return false;
            }
        }

        return true;
    }

    private static List<string> GroupArrayElements(Context ctx, List<string> output, IReadOnlyList<object?> value)
    {
        var totalLength = 0;
        var maxLength = 0;
        var outputLength = output.Count;
        if (value.Count > MaxArrayLength)
        {
            outputLength--;
        }

        const int separatorSpace = 2;
        var dataLen = new int[outputLength];
        for (var i = 0; i < outputLength; i++)
        {
            var len = output[i].Length;
            dataLen[i] = len;
            totalLength += len + separatorSpace;
            if (maxLength < len)
            {
                maxLength = len;
            }
        }

        var actualMax = maxLength + separatorSpace;
        if (actualMax * 3 + ctx.IndentationLvl < BreakLength && ((double)totalLength / actualMax > 5 || maxLength <= 6))
        {
            const double approxCharHeights = 2.5;
            var averageBias = Math.Sqrt(actualMax - ((double)totalLength / output.Count));
            var biasedMax = Math.Max(actualMax - 3 - averageBias, 1);
            var columns = (int)Math.Min(
                Math.Min(
                    JsRound(Math.Sqrt(approxCharHeights * biasedMax * outputLength) / biasedMax),
                    Math.Floor((BreakLength - ctx.IndentationLvl) / (double)actualMax)),
                Math.Min(Compact * 4, 15));
            if (columns <= 1)
            {
                return output;
            }

            var maxLineLength = new List<int>(columns);
            for (var i = 0; i < columns; i++)
            {
                var lineLength = 0;
                for (var j = i; j < output.Count; j += columns)
                {
                    if (j < outputLength && dataLen[j] > lineLength)
                    {
                        lineLength = dataLen[j];
                    }
                }

                maxLineLength.Add(lineLength + separatorSpace);
            }

            var padStart = true;
            for (var i = 0; i < value.Count && i < output.Count; i++)
            {
                if (value[i] is not (double or int or long))
                {
                    padStart = false;
                    break;
                }
            }

            var tmp = new List<string>();
            for (var i = 0; i < outputLength; i += columns)
            {
                var max = Math.Min(i + columns, outputLength);
                var sb = new StringBuilder();
                var j = i;
                for (; j < max - 1; j++)
                {
                    var cell = output[j] + ", ";
                    sb.Append(padStart ? cell.PadLeft(maxLineLength[j - i]) : cell.PadRight(maxLineLength[j - i]));
                }

                sb.Append(padStart ? output[j].PadLeft(maxLineLength[j - i] - separatorSpace) : output[j]);
                tmp.Add(sb.ToString());
            }

            if (value.Count > MaxArrayLength)
            {
                tmp.Add(output[outputLength]);
            }

            return tmp;
        }

        return output;
    }

    private static double JsRound(double x)
    {
        var floor = Math.Floor(x);
        return x - floor >= 0.5 ? floor + 1 : floor;
    }

    private static string FormatKey(string key)
    {
        var bare = key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_');
        for (var i = 1; bare && i < key.Length; i++)
        {
            bare = char.IsAsciiLetterOrDigit(key[i]) || key[i] == '_';
        }

        return bare ? key : Quote(key);
    }

    /// <summary>Node's strEscape: single quotes unless the text has one and no double quote (then double, then backtick).</summary>
    private static string Quote(string s)
    {
        var quote = '\'';
        if (s.Contains('\'', StringComparison.Ordinal))
        {
            if (!s.Contains('"', StringComparison.Ordinal))
            {
                quote = '"';
            }
            else if (!s.Contains('`', StringComparison.Ordinal) && !s.Contains("${", StringComparison.Ordinal))
            {
                quote = '`';
            }
        }

        var sb = new StringBuilder(s.Length + 2);
        sb.Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\v': sb.Append("\\v"); break;
                case '\\': sb.Append("\\\\"); break;
                default:
                    if (c == quote)
                    {
                        sb.Append('\\').Append(c);
                    }
                    else if (c < 0x20 || c == 0x7F)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append(quote).ToString();
    }
}

/// <summary>A JavaScript object: string keys in insertion order, but integer-like keys first in numeric order (as V8 iterates).</summary>
internal sealed class JsObject
{
    private readonly List<KeyValuePair<string, object?>> _entries = [];

    public int Count => _entries.Count;

    public void Add(string key, object? value) => _entries.Add(new(key, value));

    public IEnumerable<KeyValuePair<string, object?>> Ordered()
    {
        var integers = _entries.Where(e => IsArrayIndex(e.Key)).OrderBy(e => uint.Parse(e.Key, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return integers.Count == 0 ? _entries : integers.Concat(_entries.Where(e => !IsArrayIndex(e.Key)));
    }

    private static bool IsArrayIndex(string key) =>
        key.Length is > 0 and <= 10 && key.All(char.IsAsciiDigit) && (key == "0" || key[0] != '0')
        && uint.TryParse(key, out var n) && n != uint.MaxValue;
}
