using System.Text.Json;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Clustering;

/// <summary>A jsonl file of {"text", "label"} rows from shared/data/cluster.</summary>
internal sealed record LabeledSet(string[] Texts, string[] Labels)
{
    public static LabeledSet Load(string fileName)
    {
        var texts = new List<string>();
        var labels = new List<string>();
        foreach (var line in File.ReadLines(Path.Combine(RepoPaths.SharedData, "cluster", fileName)))
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
