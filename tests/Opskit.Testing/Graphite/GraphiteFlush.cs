namespace Opskit.Testing.Graphite;

/// <summary>
/// Everything one daemon sent over one Graphite connection. Etsy's graphite backend opens one
/// connection per flush and closes it, so a connection is a flush.
/// </summary>
public sealed class GraphiteFlush(int index, IReadOnlyList<GraphiteLine> lines)
{
    /// <summary>0 for the first flush the listener saw.</summary>
    public int Index { get; } = index;

    public IReadOnlyList<GraphiteLine> Lines { get; } = lines;

    /// <summary>The value of <paramref name="name"/> in this flush, or null when the flush lacks it.</summary>
    public double? Value(string name)
    {
        foreach (var line in Lines)
        {
            if (line.Name == name)
            {
                return line.Number;
            }
        }

        return null;
    }

    public bool Contains(string name) => Lines.Any(line => line.Name == name);

    public bool Has(string name, double value) => Value(name) == value;

    public override string ToString() =>
        $"flush #{Index} ({Lines.Count} lines):\n  " + string.Join("\n  ", Lines);
}
