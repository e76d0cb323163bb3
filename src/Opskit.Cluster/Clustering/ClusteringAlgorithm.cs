namespace Opskit.Cluster.Clustering;

/// <summary>The algorithms <c>POST /cluster</c> offers.</summary>
public enum ClusteringAlgorithm
{
    /// <summary>Average-linkage cosine agglomerative clustering cut at a distance threshold, given or chosen per input (the default).</summary>
    Agglomerative,

    /// <summary>sentence-transformers' community detection (fast, leaves outliers unclustered).</summary>
    Community,

    /// <summary>Spherical k-means with a given number of clusters.</summary>
    KMeans,
}
