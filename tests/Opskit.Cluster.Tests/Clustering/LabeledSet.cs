using System.Text.Json;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Clustering;

/// <summary>A jsonl file of {"text", "label"} rows from the sets beside these tests.</summary>
internal sealed record LabeledSet(string[] Texts, string[] Labels)
{
    /// <summary>
    /// The labeled sets, all the project's own (tests/Opskit.Cluster.Tests/Clustering/data): the seed's blog example, the
    /// eight-topic titles and the six held-out sets.
    /// </summary>
    public static string DataDirectory => Path.Combine(RepoPaths.Root, "tests", "Opskit.Cluster.Tests", "Clustering", "data");

    /// <summary>A set from <see cref="DataDirectory"/>.</summary>
    public static LabeledSet Load(string fileName) => LoadFile(Path.Combine(DataDirectory, fileName));

    private static LabeledSet LoadFile(string path)
    {
        var texts = new List<string>();
        var labels = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var row = JsonDocument.Parse(line);
            texts.Add(row.RootElement.GetProperty("text").GetString()!);
            labels.Add(row.RootElement.GetProperty("label").GetString()!);
        }

        return new LabeledSet([.. texts], [.. labels]);
    }
}
