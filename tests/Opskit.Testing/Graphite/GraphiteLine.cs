using System.Globalization;

namespace Opskit.Testing.Graphite;

/// <summary>One line of Graphite's plaintext protocol: <c>name value timestamp</c>.</summary>
public sealed record GraphiteLine(string Name, string Value, string Timestamp)
{
    /// <summary>The value as a number, or null when it is not one (e.g. a malformed line).</summary>
    public double? Number =>
        double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>Splits a received line the way Etsy's tests do (<c>x.split(' ')</c>).</summary>
    public static GraphiteLine Parse(string line)
    {
        var parts = line.Split(' ');
        return new GraphiteLine(parts[0], parts.Length > 1 ? parts[1] : string.Empty, parts.Length > 2 ? parts[2] : string.Empty);
    }

    public override string ToString() => $"{Name} {Value} {Timestamp}";
}
