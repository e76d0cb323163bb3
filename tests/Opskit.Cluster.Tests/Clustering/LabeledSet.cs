using System.Text.Json;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Clustering;

/// <summary>A jsonl file of {"text", "label"} rows: the shared sets or the held-out sets beside these tests.</summary>
internal sealed record LabeledSet(string[] Texts, string[] Labels)
{
    /// <summary>Held-out labeled sets written for this project (tests/Opskit.Cluster.Tests/Clustering/data).</summary>
    public static string HeldOutDirectory => Path.Combine(RepoPaths.Root, "tests", "Opskit.Cluster.Tests", "Clustering", "data");

    /// <summary>A set from shared/data/cluster.</summary>
    public static LabeledSet Load(string fileName) => LoadFile(Path.Combine(RepoPaths.SharedData, "cluster", fileName));

    /// <summary>A held-out set from <see cref="HeldOutDirectory"/>.</summary>
    public static LabeledSet LoadHeldOut(string fileName) => LoadFile(Path.Combine(HeldOutDirectory, fileName));

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
