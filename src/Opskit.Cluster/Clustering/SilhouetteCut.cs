namespace Opskit.Cluster.Clustering;

/// <summary>
/// Chooses where to cut an average-linkage dendrogram without a caller-given threshold: among the cuts at
/// distances 0.50, 0.51, …, 1.00 it takes the one whose flat clustering has the highest mean silhouette
/// (cosine distance; a singleton scores 0, as in scikit-learn). A silhouette cannot score a single
/// cluster, so when every sentence already joins below <see cref="ClusteringParameters.DefaultDistanceThreshold"/>
/// (the dendrogram's root merge is lower) the answer is that fixed threshold, i.e. one cluster.
/// The grid bounds the work to at most 51 silhouettes, all computed in one pass over the distance rows:
/// O(n²·d) to restore the distances plus O(n² + n·Σk) to score (a coarser cut's cluster sums are folded
/// from the finer cut's), and O(51·n) memory beside the n×n matrix the dendrogram already needed.
/// Measured on the shared sets and six held-out sets in docs/cluster.md ("Quality"): better than any
/// fixed threshold on average, and not worse than the old fixed 0.85 on any set.
/// </summary>
internal static class SilhouetteCut
{
    /// <summary>Lowest threshold tried, in hundredths of cosine distance (below it clusters are paraphrase-tight).</summary>
    private const int LowestHundredths = 50;

    /// <summary>Highest threshold tried (above 1.0 the sentences are anti-correlated on average).</summary>
    private const int HighestHundredths = 100;

    /// <summary>The distance threshold to cut <paramref name="merges"/> (the dendrogram of <paramref name="matrix"/>) at.</summary>
    public static float Choose(EmbeddingMatrix matrix, ReadOnlySpan<AgglomerativeClustering.Merge> merges) =>
        Choose(matrix, merges, new float[matrix.Count * matrix.Count]);

    /// <summary>
    /// As <see cref="Choose(EmbeddingMatrix, ReadOnlySpan{AgglomerativeClustering.Merge})"/>, with
    /// <paramref name="scratch"/> (n×n, e.g. the dendrogram's spent working matrix) to hold the distances.
    /// </summary>
    public static float Choose(EmbeddingMatrix matrix, ReadOnlySpan<AgglomerativeClustering.Merge> merges, float[] scratch)
    {
        var n = matrix.Count;
        if (n < 3)
        {
            return ClusteringParameters.DefaultDistanceThreshold;
        }

        var sorted = merges.ToArray();
        Array.Sort(sorted, static (x, y) => x.Distance.CompareTo(y.Distance));
        if (sorted[^1].Distance < ClusteringParameters.DefaultDistanceThreshold)
        {
            return ClusteringParameters.DefaultDistanceThreshold;
        }

        var candidates = Candidates(n, sorted);
        if (candidates.Count == 0)
        {
            return ClusteringParameters.DefaultDistanceThreshold;
        }

        AgglomerativeClustering.FillDistances(matrix, scratch);
        var totals = new double[candidates.Count];
        var sums = new double[n];
        var coarser = new double[n];
        for (var i = 0; i < n; i++)
        {
            // Distance sums from point i to each cluster of the finest clustering, then folded into each
            // coarser one through its parent map: O(n + Σk) per point instead of O(n) per candidate.
            var row = scratch.AsSpan(i * n, n);
            var finest = candidates[0];
            Array.Clear(sums, 0, finest.Sizes.Length);
            for (var j = 0; j < n; j++)
            {
                sums[finest.Labels[j]] += row[j];
            }

            totals[0] += Silhouette(i, finest, sums);
            for (var c = 1; c < candidates.Count; c++)
            {
                var candidate = candidates[c];
                Array.Clear(coarser, 0, candidate.Sizes.Length);
                var parent = candidate.Parent!;
                for (var l = 0; l < parent.Length; l++)
                {
                    coarser[parent[l]] += sums[l];
                }

                totals[c] += Silhouette(i, candidate, coarser);
                (sums, coarser) = (coarser, sums);
            }
        }

        // Highest mean silhouette; ties keep the lowest threshold (candidates are in ascending order).
        var best = 0;
        for (var c = 1; c < candidates.Count; c++)
        {
            if (totals[c] > totals[best])
            {
                best = c;
            }
        }

        return candidates[best].Threshold;
    }

    /// <summary>
    /// True when <see cref="Choose(EmbeddingMatrix, ReadOnlySpan{AgglomerativeClustering.Merge}, float[])"/> scores
    /// cuts for this dendrogram (at least three points and a root merge at or above the fixed default), i.e. when
    /// it does not fall back to one cluster; then its scratch buffer holds the cosine distances on return.
    /// </summary>
    public static bool Scored(int n, ReadOnlySpan<AgglomerativeClustering.Merge> merges)
    {
        if (n < 3)
        {
            return false;
        }

        var root = 0f;
        foreach (var merge in merges)
        {
            root = Math.Max(root, merge.Distance);
        }

        return root >= ClusteringParameters.DefaultDistanceThreshold;
    }

    /// <summary>
    /// One flat clustering of the grid: compact labels, the size of each cluster, and for each cluster of the
    /// previous (finer) candidate the cluster of this one that contains it (null for the finest).
    /// </summary>
    private sealed record Candidate(float Threshold, int[] Labels, int[] Sizes, int[]? Parent)
    {
        /// <summary>1 / size per cluster: the nearest-cluster scan multiplies instead of dividing.</summary>
        public double[] InverseSizes { get; } = Array.ConvertAll(Sizes, static size => 1.0 / size);
    }

    /// <summary>The distinct flat clusterings with at least two clusters at the grid thresholds, ascending.</summary>
    private static List<Candidate> Candidates(int n, AgglomerativeClustering.Merge[] sorted)
    {
        var parent = new int[n];
        for (var i = 0; i < n; i++)
        {
            parent[i] = i;
        }

        var candidates = new List<Candidate>();
        var applied = 0;
        var appliedAtLastCandidate = -1;
        for (var hundredths = LowestHundredths; hundredths <= HighestHundredths; hundredths++)
        {
            var threshold = hundredths / 100f;
            while (applied < sorted.Length && sorted[applied].Distance < threshold)
            {
                AgglomerativeClustering.Union(parent, sorted[applied].A, sorted[applied].B);
                applied++;
            }

            // Same merges as the previous grid point: same clustering. All merged: one cluster, which has no silhouette.
            if (applied == appliedAtLastCandidate || applied == n - 1)
            {
                continue;
            }

            appliedAtLastCandidate = applied;
            var clusterCount = n - applied;
            var compact = new int[n];
            Array.Fill(compact, -1);
            var labels = new int[n];
            var sizes = new int[clusterCount];
            var next = 0;
            for (var i = 0; i < n; i++)
            {
                var root = AgglomerativeClustering.Find(parent, i);
                if (compact[root] < 0)
                {
                    compact[root] = next++;
                }

                labels[i] = compact[root];
                sizes[labels[i]]++;
            }

            int[]? parentOfPrevious = null;
            if (candidates.Count > 0)
            {
                var previous = candidates[^1];
                parentOfPrevious = new int[previous.Sizes.Length];
                for (var i = 0; i < n; i++)
                {
                    parentOfPrevious[previous.Labels[i]] = labels[i];
                }
            }

            candidates.Add(new Candidate(threshold, labels, sizes, parentOfPrevious));
        }

        return candidates;
    }

    /// <summary>
    /// s(i) = (b − a) / max(a, b): a the mean distance to the rest of its own cluster, b to the nearest other
    /// cluster; <paramref name="sums"/> holds point i's distance sums per cluster (its own distance is 0).
    /// </summary>
    private static double Silhouette(int i, Candidate candidate, double[] sums)
    {
        var sizes = candidate.Sizes;
        var own = candidate.Labels[i];
        if (sizes[own] == 1)
        {
            return 0;
        }

        var a = sums[own] / (sizes[own] - 1);
        var inverseSizes = candidate.InverseSizes;
        var b = double.PositiveInfinity;
        for (var c = 0; c < inverseSizes.Length; c++)
        {
            var mean = sums[c] * inverseSizes[c];
            if (mean < b && c != own)
            {
                b = mean;
            }
        }

        var scale = Math.Max(a, b);
        return scale > 0 ? (b - a) / scale : 0;
    }
}
