using BenchmarkDotNet.Attributes;
using Opskit.Cluster.Clustering;
using Opskit.Cluster.Embeddings;

namespace Opskit.Benchmarks.Cluster;

/// <summary>
/// The default /cluster algorithm on random unit vectors of the model's width: the n×n distance matrix and
/// nearest-neighbour chain dominate (O(n²) time and memory), so this shows where large requests spend time.
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
        var random = new Random(7);
        var data = new float[Count * 384];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() - 0.5);
        }

        for (var i = 0; i < Count; i++)
        {
            VectorMath.Normalize(data.AsSpan(i * 384, 384));
        }

        _matrix = new EmbeddingMatrix(data, Count, 384);
    }

    [Benchmark]
    public int Cluster() => AgglomerativeClustering.Cluster(_matrix, 0.85f)[^1];
}
