namespace Opskit.Cluster.Clustering;

/// <summary>
/// The default clustering when the caller gives no threshold. Candidates: the average-linkage dendrogram
/// cut chosen by <see cref="SilhouetteCut"/>, and the Louvain communities of the 10-nearest-neighbour graph
/// (<see cref="NeighbourGraphCommunities"/>) at each resolution of <see cref="Resolutions"/>. The candidate
/// with the highest mean silhouette wins (ties: the cut), and <see cref="ClusterRefinement.Refine"/> then
/// moves each sentence to the cluster it is closest to on average, kept only if the silhouette does not drop. When every sentence joins below
/// <see cref="ClusteringParameters.DefaultDistanceThreshold"/>, or there are fewer than three, the answer is
/// the fixed cut (one cluster), as before, since a silhouette cannot score one cluster.
/// Why: on the ops sub-areas no cut of the dendrogram scored above V-measure 0.742 (the best cut chosen with
/// the labels), because the tree merges sentences of neighbouring sub-areas early; the graph finds those
/// sub-areas and the refinement undoes early merges. Measured in docs/cluster.md ("Quality").
/// Cost beside the cut: n log-free kNN scans of the distance rows, 8 Louvain runs on n·k edges, 8 silhouettes
/// and a few refinement sweeps, each O(n²) over the n×n matrix the dendrogram already needed; no second matrix.
/// </summary>
internal static class AutomaticClustering
{
    /// <summary>Louvain resolutions tried (a fixed grid chosen before measuring; higher gives more, smaller communities).</summary>
    private static readonly double[] Resolutions = [0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0];

    /// <summary>Labels per sentence; <paramref name="threshold"/> is the dendrogram cut the silhouette chose (reported to callers).</summary>
    public static int[] Cluster(EmbeddingMatrix matrix, out float threshold) =>
        Cluster(matrix, NeighbourGraphCommunities.DefaultNeighbours, Refinement.IfSilhouetteHolds, out threshold);

    /// <summary>Whether and how the chosen candidate is refined (only the default is served; the others are compared in docs/cluster.md).</summary>
    public enum Refinement
    {
        /// <summary>The chosen candidate as it is.</summary>
        None,

        /// <summary>Always refined.</summary>
        Always,

        /// <summary>Refined, kept only if its mean silhouette is not lower (the default).</summary>
        IfSilhouetteHolds,
    }

    /// <summary>As <see cref="Cluster(EmbeddingMatrix, out float)"/> with another graph size or without refinement (for the comparison in docs/cluster.md).</summary>
    public static int[] Cluster(EmbeddingMatrix matrix, int neighbours, Refinement refinement, out float threshold)
    {
        var n = matrix.Count;
        var distance = new float[n * n];
        var merges = AgglomerativeClustering.Dendrogram(matrix, distance);
        threshold = SilhouetteCut.Choose(matrix, merges, distance);
        var labels = AgglomerativeClustering.Cut(n, merges, threshold);
        if (!SilhouetteCut.Scored(n, merges))
        {
            return labels;
        }

        // SilhouetteCut.Choose left the original distances in the buffer when it scored cuts.
        var clusters = ClusterRefinement.Compact(labels);
        var bestScore = ClusterRefinement.MeanSilhouette(distance, n, labels, clusters);
        var joinBelow = threshold;
        foreach (var resolution in Resolutions)
        {
            var communities = NeighbourGraphCommunities.Detect(distance, n, neighbours, resolution);
            var count = ClusterRefinement.Compact(communities);
            if (count < 2)
            {
                continue;
            }

            var score = ClusterRefinement.MeanSilhouette(distance, n, communities, count);
            if (score > bestScore + 1e-12)
            {
                bestScore = score;
                labels = communities;
                clusters = count;
                // A graph community has no linkage level; singletons join below the fixed default.
                joinBelow = ClusteringParameters.DefaultDistanceThreshold;
            }
        }

        if (refinement == Refinement.None)
        {
            return labels;
        }

        // Keep the refinement only if it does not lower the silhouette that chose the candidate: moving each
        // sentence to its closest cluster on average can still make the clustering as a whole less separated
        // (measured on the paraphrases: 15 clusters of 0.946 fell to 0.921 unguarded).
        var refined = (int[])labels.Clone();
        ClusterRefinement.Refine(distance, n, refined, clusters, joinBelow);
        var refinedClusters = ClusterRefinement.Compact(refined);
        if (refinement == Refinement.Always)
        {
            return refined;
        }

        return refinedClusters >= 2 && ClusterRefinement.MeanSilhouette(distance, n, refined, refinedClusters) >= bestScore ? refined : labels;
    }
}
