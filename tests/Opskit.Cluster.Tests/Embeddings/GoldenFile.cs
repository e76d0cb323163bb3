using System.Text.Json;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Embeddings;

/// <summary>
/// The reference token ids and embeddings in <c>Embeddings/data/golden-embeddings.json</c>, written by
/// <c>bench/cluster/make-golden.sh</c> (transformers.js) from the texts in <c>golden-inputs.json</c> beside it.
/// </summary>
internal sealed record GoldenItem(string Text, int[] InputIds, float[] Embedding)
{
    public override string ToString() => Text;
}

internal static class GoldenFile
{
    private static readonly Lazy<IReadOnlyList<GoldenItem>> Cache = new(Load);

    public static IReadOnlyList<GoldenItem> Items => Cache.Value;

    public static string DataDirectory => Path.Combine(RepoPaths.Root, "tests", "Opskit.Cluster.Tests", "Embeddings", "data");

    private static List<GoldenItem> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DataDirectory, "golden-embeddings.json")));
        var items = new List<GoldenItem>();
        foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
        {
            var ids = item.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var vector = item.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            items.Add(new GoldenItem(item.GetProperty("text").GetString()!, ids, vector));
        }

        return items;
    }
}
