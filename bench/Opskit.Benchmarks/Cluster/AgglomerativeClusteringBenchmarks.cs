using BenchmarkDotNet.Attributes;
using Opskit.Cluster.Clustering;
using Opskit.Cluster.Embeddings;

namespace Opskit.Benchmarks.Cluster;

/// <summary>
/// The agglomerative /cluster algorithm on synthetic "topics" of the model's width: the n×n distance matrix and
/// nearest-neighbour chain dominate (O(n²) time and memory), so this shows where large requests spend time.
/// <see cref="SilhouetteCutOnly"/> is the default before issue 17: the same dendrogram plus the silhouette cut, which
/// recomputes the distance rows (O(n²·d)) and scores up to 51 cuts (O(n + k) per point each) instead of keeping
/// a second n×n matrix. <see cref="Automatic"/> is the default now: that cut against 8 Louvain runs on the
/// 10-NN graph, each scored by its silhouette (O(n²)), and the refinement sweeps (O(n²) each). Topics of 20 points with mixed tightness spread the merges over the whole 0.5–1.0 grid,
/// like real sentences, so nearly every grid cut is a distinct clustering to score.
/// </summary>
[MemoryDiagnoser]
public class AgglomerativeClusteringBenchmarks
{
    private EmbeddingMatrix _matrix;

    [Params(80, 1000)]
    public int Count { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const int dimension = 384;
        var random = new Random(7);
        var topics = (Count + 19) / 20;
        var centres = new float[topics * dimension];
        Fill(random, centres);
        for (var t = 0; t < topics; t++)
        {
            VectorMath.Normalize(centres.AsSpan(t * dimension, dimension));
        }

        var data = new float[Count * dimension];
        Fill(random, data);
        for (var i = 0; i < Count; i++)
        {
            var row = data.AsSpan(i * dimension, dimension);
            VectorMath.Normalize(row);
            // Weight of the topic centre between 0.5 and 1.5 against unit noise: within-topic distances
            // range from about 0.1 to 0.8, between topics about 1.0.
            var weight = 0.5f + (float)random.NextDouble();
            var centre = centres.AsSpan((i % topics) * dimension, dimension);
            for (var d = 0; d < dimension; d++)
            {
                row[d] += weight * centre[d];
            }

            VectorMath.Normalize(row);
        }

        _matrix = new EmbeddingMatrix(data, Count, dimension);
    }

    /// <summary>A caller-given threshold: dendrogram and cut only.</summary>
    [Benchmark(Baseline = true)]
    public int Fixed() => AgglomerativeClustering.Cluster(_matrix, 0.85f)[^1];

    /// <summary>The default before issue 17: dendrogram, silhouette-chosen cut.</summary>
    [Benchmark]
    public int SilhouetteCutOnly() => AgglomerativeClustering.ClusterAutomatically(_matrix, out _)[^1];

    /// <summary>The default: the silhouette cut or Louvain communities of the 10-NN graph, refined (issue 17).</summary>
    [Benchmark]
    public int Automatic() => AutomaticClustering.Cluster(_matrix, out _)[^1];

    private static void Fill(Random random, float[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }
    }
}
