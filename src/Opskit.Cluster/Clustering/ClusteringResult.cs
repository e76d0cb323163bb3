namespace Opskit.Cluster.Clustering;

/// <summary>
/// Clusters largest first (ties: the one with the lowest index first); each lists its representative
/// (the member closest to the normalized centroid) first and the rest in algorithm order.
/// </summary>
internal sealed record ClusteringResult(IReadOnlyList<int[]> Clusters, int[] Unclustered);
