namespace Opskit.Cluster.Tests.Clustering;

/// <summary>V-measure (Rosenberg and Hirschberg 2007): harmonic mean of homogeneity and completeness.</summary>
internal static class VMeasure
{
    public static double Score(IReadOnlyList<string> truth, IReadOnlyList<int> predicted)
    {
        var n = truth.Count;
        var joint = new Dictionary<(string, int), int>();
        var classes = new Dictionary<string, int>();
        var clusters = new Dictionary<int, int>();
        for (var i = 0; i < n; i++)
        {
            joint[(truth[i], predicted[i])] = joint.GetValueOrDefault((truth[i], predicted[i])) + 1;
            classes[truth[i]] = classes.GetValueOrDefault(truth[i]) + 1;
            clusters[predicted[i]] = clusters.GetValueOrDefault(predicted[i]) + 1;
        }

        double Entropy(IEnumerable<int> counts) => -counts.Sum(c => (double)c / n * Math.Log((double)c / n));
        var hClass = Entropy(classes.Values);
        var hCluster = Entropy(clusters.Values);
        double hClassGivenCluster = 0, hClusterGivenClass = 0;
        foreach (var ((cls, cluster), count) in joint)
        {
            var p = (double)count / n;
            hClassGivenCluster -= p * Math.Log((double)count / clusters[cluster]);
            hClusterGivenClass -= p * Math.Log((double)count / classes[cls]);
        }

        var homogeneity = hClass == 0 ? 1 : 1 - (hClassGivenCluster / hClass);
        var completeness = hCluster == 0 ? 1 : 1 - (hClusterGivenClass / hCluster);
        return homogeneity + completeness == 0 ? 0 : 2 * homogeneity * completeness / (homogeneity + completeness);
    }

    /// <summary>Labels per sentence from a clustering; unclustered sentences count as singletons.</summary>
    public static int[] Labels(int count, IReadOnlyList<int[]> clusters)
    {
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = -1 - i;
        }

        for (var c = 0; c < clusters.Count; c++)
        {
            foreach (var member in clusters[c])
            {
                labels[member] = c;
            }
        }

        return labels;
    }
}
