using System.Globalization;
using System.Text;

namespace Opskit.Core.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4) for a tool's <c>/metrics</c> endpoint:
/// one <c># HELP</c>/<c># TYPE</c> header per family, then its samples. Numbers use the invariant culture
/// and label values are escaped, so callers never format exposition text by hand.
/// </summary>
public sealed class PrometheusTextBuilder
{
    /// <summary>The media type Prometheus expects for this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(4096);

    /// <summary>Writes a family header: <paramref name="type"/> is <c>counter</c>, <c>gauge</c> or <c>histogram</c>.</summary>
    public PrometheusTextBuilder Family(string name, string help, string type)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    /// <summary>Writes a counter family with one unlabelled sample.</summary>
    public PrometheusTextBuilder Counter(string name, string help, long value) =>
        Family(name, help, "counter").Sample(name, value);

    /// <summary>Writes a gauge family with one unlabelled sample.</summary>
    public PrometheusTextBuilder Gauge(string name, string help, double value) =>
        Family(name, help, "gauge").Sample(name, value);

    /// <summary>Writes one sample line; <paramref name="labels"/> are name/value pairs (values are escaped).</summary>
    public PrometheusTextBuilder Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        _text.Append(name);
        if (!labels.IsEmpty)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Name).Append("=\"").Append(EscapeLabel(labels[i].Value)).Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(FormatValue(value)).Append('\n');
        return this;
    }

    /// <summary>The text written so far.</summary>
    public override string ToString() => _text.ToString();

    /// <summary>A sample value as Prometheus writes it (<c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, shortest round-trip otherwise).</summary>
    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Escapes a label value: backslash, double quote and newline.</summary>
    public static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
