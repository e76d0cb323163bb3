namespace Opskit.Cluster.Clustering;

/// <summary>What a caller asked for; unset values take the algorithm's documented default.</summary>
internal sealed record ClusteringParameters
{
    /// <summary>
    /// Cosine distance threshold of <see cref="ClusteringAlgorithm.Agglomerative"/> when the automatic cut
    /// cannot score the dendrogram: fewer than three sentences, or all of them within it (one cluster).
    /// Without a caller-given threshold the clustering is chosen per input by <see cref="AutomaticClustering"/>.
    /// </summary>
    public const float DefaultDistanceThreshold = 0.85f;

    /// <summary>Default cosine similarity threshold of <see cref="ClusteringAlgorithm.Community"/> (sentence-transformers' default).</summary>
    public const float DefaultSimilarityThreshold = 0.75f;

    /// <summary>Default minimum community size (sentence-transformers' default, capped at the number of sentences).</summary>
    public const int DefaultMinCommunitySize = 10;

    public ClusteringAlgorithm Algorithm { get; init; } = ClusteringAlgorithm.Agglomerative;

    /// <summary>
    /// Agglomerative: cosine distance below which clusters merge (a fixed cut; unset: automatic cut).
    /// Community: cosine similarity to join.
    /// </summary>
    public float? Threshold { get; init; }

    /// <summary>Clusters smaller than this go to <c>unclustered</c> (default 1; community: 10, capped at n).</summary>
    public int? MinClusterSize { get; init; }

    /// <summary>Number of clusters for k-means (required there).</summary>
    public int? K { get; init; }

    /// <summary>True when agglomerative clustering chooses its own cut (no threshold given).</summary>
    public bool AutomaticCut => Algorithm == ClusteringAlgorithm.Agglomerative && Threshold is null;

    /// <summary>
    /// The threshold known before seeing the data: the caller's, or the algorithm's fixed default. With
    /// <see cref="AutomaticCut"/> this is only the fallback; the cut actually used is <see cref="ClusteringResult.Threshold"/>.
    /// </summary>
    public float EffectiveThreshold => Threshold ?? (Algorithm == ClusteringAlgorithm.Community ? DefaultSimilarityThreshold : DefaultDistanceThreshold);

    public int EffectiveMinClusterSize => MinClusterSize ?? (Algorithm == ClusteringAlgorithm.Community ? DefaultMinCommunitySize : 1);
}
