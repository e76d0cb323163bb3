using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Clustering;

/// <summary>Runs the chosen algorithm and shapes its output the same way for every algorithm.</summary>
internal static class SentenceClusterer
{
    public static ClusteringResult Cluster(EmbeddingMatrix matrix, ClusteringParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var n = matrix.Count;
        if (n == 0)
        {
            return new ClusteringResult([], []);
        }

        var minSize = Math.Max(1, parameters.EffectiveMinClusterSize);
        float? threshold = parameters.Algorithm == ClusteringAlgorithm.KMeans ? null : parameters.EffectiveThreshold;
        List<int[]> groups = parameters.Algorithm switch
        {
            ClusteringAlgorithm.Agglomerative when parameters.AutomaticCut => Groups(AutomaticCut(matrix, out threshold)),
            ClusteringAlgorithm.Agglomerative => Groups(AgglomerativeClustering.Cluster(matrix, parameters.EffectiveThreshold)),
            ClusteringAlgorithm.KMeans => Groups(SphericalKMeans.Cluster(matrix, parameters.K ?? throw new ArgumentException("k is required for kmeans", nameof(parameters)))),
            ClusteringAlgorithm.Community => CommunityDetection.Detect(matrix, parameters.EffectiveThreshold, minSize),
            _ => throw new ArgumentOutOfRangeException(nameof(parameters), parameters.Algorithm, "unknown algorithm"),
        };

        var clusters = new List<int[]>(groups.Count);
        var inCluster = new bool[n];
        foreach (var group in groups)
        {
            if (group.Length < Math.Min(minSize, n))
            {
                continue;
            }

            clusters.Add(RepresentativeFirst(matrix, group));
            foreach (var member in group)
            {
                inCluster[member] = true;
            }
        }

        // Largest first, then by lowest member index: deterministic regardless of algorithm internals.
        clusters.Sort(static (a, b) => a.Length != b.Length ? b.Length.CompareTo(a.Length) : Min(a).CompareTo(Min(b)));
        var unclustered = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (!inCluster[i])
            {
                unclustered.Add(i);
            }
        }

        return new ClusteringResult(clusters, [.. unclustered]) { Threshold = threshold, MinClusterSize = Math.Min(minSize, n) };
    }

    private static int[] AutomaticCut(EmbeddingMatrix matrix, out float? threshold)
    {
        var labels = AutomaticClustering.Cluster(matrix, out var chosen);
        threshold = chosen;
        return labels;
    }

    /// <summary>Members per label, each in ascending index order, in order of first appearance.</summary>
    private static List<int[]> Groups(int[] labels)
    {
        var byLabel = new Dictionary<int, List<int>>();
        var order = new List<List<int>>();
        for (var i = 0; i < labels.Length; i++)
        {
            if (!byLabel.TryGetValue(labels[i], out var members))
            {
                members = [];
                byLabel[labels[i]] = members;
                order.Add(members);
            }

            members.Add(i);
        }

        return order.ConvertAll(static members => members.ToArray());
    }

    private static int[] RepresentativeFirst(EmbeddingMatrix matrix, int[] members)
    {
        var centroid = new float[matrix.Dimension];
        foreach (var member in members)
        {
            VectorMath.AddTo(matrix.Row(member), centroid);
        }

        VectorMath.Normalize(centroid);
        var best = 0;
        var bestScore = float.NegativeInfinity;
        for (var i = 0; i < members.Length; i++)
        {
            var score = VectorMath.Dot(matrix.Row(members[i]), centroid);
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }

        var ordered = new int[members.Length];
        ordered[0] = members[best];
        var next = 1;
        for (var i = 0; i < members.Length; i++)
        {
            if (i != best)
            {
                ordered[next++] = members[i];
            }
        }

        return ordered;
    }

    private static int Min(int[] members)
    {
        var min = int.MaxValue;
        foreach (var member in members)
        {
            min = Math.Min(min, member);
        }

        return min;
    }
}
