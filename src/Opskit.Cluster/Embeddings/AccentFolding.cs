using System.Globalization;
using System.Text;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// BERT's accent stripping (Unicode NFD, then drop nonspacing marks) without ICU: Opskit runs with
/// <c>InvariantGlobalization</c>, where <see cref="string.Normalize()"/> leaves text unchanged, so the
/// decompositions come from a table generated once from Python's <c>unicodedata</c>
/// (<c>generate-accent-table.py</c>) and embedded in the assembly.
/// </summary>
internal static class AccentFolding
{
    private const int HangulBase = 0xAC00;
    private const int HangulCount = 11172;
    private const int JamoLBase = 0x1100;
    private const int JamoVBase = 0x1161;
    private const int JamoTBase = 0x11A7;
    private const int JamoVCount = 21;
    private const int JamoTCount = 28;

    private static readonly Dictionary<int, int[]> Table = Load();

    /// <summary>
    /// Appends the accent-stripped form of <paramref name="rune"/> to <paramref name="output"/>.
    /// Nonspacing marks vanish; characters without a canonical decomposition are copied.
    /// </summary>
    public static void Append(Rune rune, ref CharBuffer output)
    {
        if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark)
        {
            return;
        }

        var value = rune.Value;
        if (value < 0xC0)
        {
            output.Append(rune);
            return;
        }

        if (value - HangulBase is >= 0 and < HangulCount)
        {
            // Hangul syllables decompose algorithmically (Unicode 3.12) into leading, vowel and trailing jamo.
            var index = value - HangulBase;
            output.Append(new Rune(JamoLBase + (index / (JamoVCount * JamoTCount))));
            output.Append(new Rune(JamoVBase + (index % (JamoVCount * JamoTCount) / JamoTCount)));
            var trailing = index % JamoTCount;
            if (trailing != 0)
            {
                output.Append(new Rune(JamoTBase + trailing));
            }

            return;
        }

        if (Table.TryGetValue(value, out var folded))
        {
            foreach (var cp in folded)
            {
                output.Append(new Rune(cp));
            }

            return;
        }

        output.Append(rune);
    }

    private static Dictionary<int, int[]> Load()
    {
        using var stream = typeof(AccentFolding).Assembly.GetManifestResourceStream("Opskit.Cluster.Embeddings.accent-folding.txt")
            ?? throw new InvalidOperationException("accent-folding.txt is not embedded in Opskit.Cluster");
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var table = new Dictionary<int, int[]>(2100);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ');
            var folded = new int[parts.Length - 1];
            for (var i = 1; i < parts.Length; i++)
            {
                folded[i - 1] = int.Parse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }

            table[int.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture)] = folded;
        }

        return table;
    }
}
