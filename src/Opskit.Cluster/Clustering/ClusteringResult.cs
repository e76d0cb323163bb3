namespace Opskit.Cluster.Clustering;

/// <summary>
/// Clusters largest first (ties: the one with the lowest index first); each lists its representative
/// (the member closest to the normalized centroid) first and the rest in algorithm order.
/// </summary>
internal sealed record ClusteringResult(IReadOnlyList<int[]> Clusters, int[] Unclustered)
{
    /// <summary>
    /// The threshold actually used: agglomerative, the cosine distance cut (the caller's, or the one the
    /// automatic cut chose for this input); community, the cosine similarity; k-means (and empty input), none.
    /// This, not <see cref="ClusteringParameters.EffectiveThreshold"/>, is what a response should report.
    /// </summary>
    public float? Threshold { get; init; }

    /// <summary>
    /// The smallest cluster kept: the caller's or the algorithm's default, capped at the number of sentences (so a
    /// community request over 6 sentences reports 6, not the default 10 it did not apply). Zero for empty input.
    /// </summary>
    public int MinClusterSize { get; init; }
}
