namespace Opskit.Cluster.Clustering;

/// <summary>
/// Flat-clustering helpers on the n×n cosine distance matrix: the mean silhouette of any labelling, and a
/// refinement that moves each sentence to the cluster it is closest to on average. A dendrogram cut cannot
/// undo an early merge, so a sentence that joined a neighbouring topic low in the tree stays there at every
/// cut; the refinement fixes such sentences afterwards (docs/cluster.md, "Quality").
/// </summary>
internal static class ClusterRefinement
{
    /// <summary>Upper bound of refinement sweeps (measured: the labeled sets settle within 2–4).</summary>
    private const int MaxSweeps = 20;

    /// <summary>Labels renumbered 0, 1, … in order of first appearance; returns the number of clusters.</summary>
    public static int Compact(int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var map = new Dictionary<int, int>();
        for (var i = 0; i < labels.Length; i++)
        {
            if (!map.TryGetValue(labels[i], out var compact))
            {
                compact = map.Count;
                map[labels[i]] = compact;
            }

            labels[i] = compact;
        }

        return map.Count;
    }

    /// <summary>
    /// Mean silhouette (cosine distance; a singleton scores 0, as in scikit-learn) of compact
    /// <paramref name="labels"/> with <paramref name="clusters"/> clusters; NaN for fewer than two clusters.
    /// </summary>
    public static double MeanSilhouette(float[] distance, int n, int[] labels, int clusters)
    {
        ArgumentNullException.ThrowIfNull(distance);
        ArgumentNullException.ThrowIfNull(labels);
        if (clusters < 2)
        {
            return double.NaN;
        }

        var sizes = new int[clusters];
        foreach (var label in labels)
        {
            sizes[label]++;
        }

        var sums = new double[clusters];
        double total = 0;
        for (var i = 0; i < n; i++)
        {
            var own = labels[i];
            if (sizes[own] == 1)
            {
                continue;
            }

            Array.Clear(sums);
            var row = distance.AsSpan(i * n, n);
            for (var j = 0; j < n; j++)
            {
                sums[labels[j]] += row[j];
            }

            var a = sums[own] / (sizes[own] - 1);
            var b = double.PositiveInfinity;
            for (var c = 0; c < clusters; c++)
            {
                if (c != own && sizes[c] > 0)
                {
                    b = Math.Min(b, sums[c] / sizes[c]);
                }
            }

            var scale = Math.Max(a, b);
            total += scale > 0 ? (b - a) / scale : 0;
        }

        return total / n;
    }

    /// <summary>
    /// Moves each sentence, in index order and until nothing moves, to the cluster with the lowest mean
    /// distance to it, if that is lower than the mean distance to the rest of its own cluster. A singleton
    /// joins a cluster only if its mean distance is below <paramref name="joinBelow"/> (the average-linkage
    /// criterion of the cut), so outliers stay alone. <paramref name="labels"/> must be compact; it is updated in place.
    /// </summary>
    public static void Refine(float[] distance, int n, int[] labels, int clusters, float joinBelow)
    {
        ArgumentNullException.ThrowIfNull(distance);
        ArgumentNullException.ThrowIfNull(labels);
        var sizes = new int[clusters];
        foreach (var label in labels)
        {
            sizes[label]++;
        }

        var sums = new double[clusters];
        for (var sweep = 0; sweep < MaxSweeps; sweep++)
        {
            var changed = false;
            for (var i = 0; i < n; i++)
            {
                Array.Clear(sums);
                var row = distance.AsSpan(i * n, n);
                for (var j = 0; j < n; j++)
                {
                    if (j != i)
                    {
                        sums[labels[j]] += row[j];
                    }
                }

                var own = labels[i];
                var ownMean = sizes[own] > 1 ? sums[own] / (sizes[own] - 1) : double.PositiveInfinity;
                var best = own;
                var bestMean = ownMean;
                for (var c = 0; c < clusters; c++)
                {
                    if (c == own || sizes[c] == 0)
                    {
                        continue;
                    }

                    var mean = sums[c] / sizes[c];
                    if (mean < bestMean - 1e-12 && (sizes[own] > 1 || mean < joinBelow))
                    {
                        bestMean = mean;
                        best = c;
                    }
                }

                if (best != own)
                {
                    sizes[own]--;
                    sizes[best]++;
                    labels[i] = best;
                    changed = true;
                }
            }

            if (!changed)
            {
                break;
            }
        }
    }
}
