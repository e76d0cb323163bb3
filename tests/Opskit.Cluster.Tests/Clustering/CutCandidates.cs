using Opskit.Cluster.Clustering;

namespace Opskit.Cluster.Tests.Clustering;

/// <summary>
/// The automatic cuts the shipped one (<see cref="SilhouetteCut"/>) was compared with in docs/cluster.md;
/// kept here so that table can be reproduced. Each returns a distance threshold for the dendrogram.
/// </summary>
internal static class CutCandidates
{
    /// <summary>Midpoint of the largest gap between consecutive merge heights, clamped to [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static float LargestGap(ReadOnlySpan<AgglomerativeClustering.Merge> merges, float low = 0.6f, float high = 1.0f)
    {
        var heights = Heights(merges);
        var best = -1f;
        var threshold = ClusteringParameters.DefaultDistanceThreshold;
        for (var i = 0; i + 1 < heights.Length; i++)
        {
            var from = Math.Max(heights[i], low);
            var to = Math.Min(heights[i + 1], high);
            if (to > from && to - from > best)
            {
                best = to - from;
                threshold = (from + to) / 2;
            }
        }

        return threshold;
    }

    /// <summary>Mojena's rule 1: cut at mean + <paramref name="c"/> × standard deviation of the merge heights.</summary>
    public static float Mojena(ReadOnlySpan<AgglomerativeClustering.Merge> merges, double c = 1.25)
    {
        var heights = Heights(merges);
        if (heights.Length < 2)
        {
            return ClusteringParameters.DefaultDistanceThreshold;
        }

        var mean = heights.Average(h => (double)h);
        var std = Math.Sqrt(heights.Average(h => (h - mean) * (h - mean)));
        return (float)(mean + (c * std));
    }

    private static float[] Heights(ReadOnlySpan<AgglomerativeClustering.Merge> merges)
    {
        var heights = new float[merges.Length];
        for (var i = 0; i < merges.Length; i++)
        {
            heights[i] = merges[i].Distance;
        }

        Array.Sort(heights);
        return heights;
    }
}
