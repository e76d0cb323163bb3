using System.Collections;
using System.Globalization;
using System.Text;

namespace Opskit.Statsd.Compat.Tests.Support;

/// <summary>
/// A statsd configuration written as Etsy writes it: a JavaScript object literal (unquoted keys,
/// single-quoted strings, a comment, a trailing comma). Etsy <c>eval</c>s the file; Opskit must parse
/// the same text, so every test feeds both daemons this one format.
/// </summary>
internal sealed class EtsyConfig : IEnumerable<KeyValuePair<string, object>>
{
    private readonly List<KeyValuePair<string, object>> _entries = [];

    /// <summary>Sets (or replaces) <paramref name="key"/>. Values: string, bool, numbers, arrays, nested <see cref="EtsyConfig"/>.</summary>
    public object this[string key]
    {
        get => _entries.First(entry => entry.Key == key).Value;
        set
        {
            _entries.RemoveAll(entry => entry.Key == key);
            _entries.Add(new(key, value));
        }
    }

    public bool ContainsKey(string key) => _entries.Any(entry => entry.Key == key);

    /// <summary>Collection-initializer support: <c>new EtsyConfig { { "port", 8125 } }</c>.</summary>
    public void Add(string key, object value) => this[key] = value;

    /// <summary>
    /// The configuration of Etsy's graphite tests (setUp of <c>test/graphite_tests.js</c>), pointed at
    /// <paramref name="graphitePort"/>; callers add the variant's keys.
    /// </summary>
    public static EtsyConfig EtsyGraphiteTest(int graphitePort, int flushInterval = 200) => new()
    {
        { "graphService", "graphite" },
        { "batch", 200 },
        { "flushInterval", flushInterval },
        { "percentThreshold", 90 },
        { "dumpMessages", false },
        { "debug", false },
        { "graphitePort", graphitePort },
        { "graphiteHost", "127.0.0.1" },
    };

    /// <summary>Writes the literal to <paramref name="path"/>.</summary>
    public void WriteTo(string path) => File.WriteAllText(path, ToJavaScript());

    public string ToJavaScript()
    {
        var text = new StringBuilder();
        text.Append("/* statsd configuration written by Opskit.Statsd.Compat.Tests */\n");
        WriteObject(text, this, 0);
        text.Append('\n');
        return text.ToString();
    }

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static void WriteObject(StringBuilder text, EtsyConfig config, int depth)
    {
        var indent = new string(' ', (depth + 1) * 2);
        text.Append("{\n");
        foreach (var (key, value) in config._entries)
        {
            text.Append(indent).Append(key).Append(": ");
            WriteValue(text, value, depth + 1);
            text.Append(",\n"); // trailing comma on the last entry too, as hand-written configs have
        }

        text.Append(new string(' ', depth * 2)).Append('}');
    }

    private static void WriteValue(StringBuilder text, object value, int depth)
    {
        switch (value)
        {
            case EtsyConfig nested:
                WriteObject(text, nested, depth);
                break;
            case string s:
                text.Append('\'').Append(s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append('\'');
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case IFormattable number:
                text.Append(number.ToString(null, CultureInfo.InvariantCulture));
                break;
            case IEnumerable items:
                text.Append('[');
                var first = true;
                foreach (var item in items)
                {
                    text.Append(first ? " " : ", ");
                    WriteValue(text, item!, depth);
                    first = false;
                }

                text.Append(" ]");
                break;
            default:
                throw new ArgumentException($"cannot write {value.GetType()} into a statsd config");
        }
    }
}
