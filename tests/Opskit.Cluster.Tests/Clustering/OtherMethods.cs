using Opskit.Cluster.Clustering;

namespace Opskit.Cluster.Tests.Clustering;

/// <summary>
/// Methods measured against the default in docs/cluster.md ("Quality") and not kept; here so the table can be
/// reproduced. Each returns a label per sentence (noise and outliers get labels of their own).
/// </summary>
internal static class OtherMethods
{
    /// <summary>The n×n cosine distances of <paramref name="matrix"/>.</summary>
    public static float[] Distances(EmbeddingMatrix matrix)
    {
        var distance = new float[matrix.Count * matrix.Count];
        AgglomerativeClustering.FillDistances(matrix, distance);
        return distance;
    }

    /// <summary>Louvain communities of the k-NN graph alone, at one resolution.</summary>
    public static int[] Louvain(EmbeddingMatrix matrix, int neighbours, double resolution) =>
        NeighbourGraphCommunities.Detect(Distances(matrix), matrix.Count, neighbours, resolution);

    /// <summary>The silhouette cut, then <see cref="ClusterRefinement.Refine"/> unguarded (no graph candidates, no silhouette check).</summary>
    public static int[] CutThenRefine(EmbeddingMatrix matrix)
    {
        var labels = AgglomerativeClustering.ClusterAutomatically(matrix, out var threshold);
        if (!SilhouetteCut.Scored(matrix.Count, AgglomerativeClustering.Dendrogram(matrix)))
        {
            return labels;
        }

        var clusters = ClusterRefinement.Compact(labels);
        ClusterRefinement.Refine(Distances(matrix), matrix.Count, labels, clusters, threshold);
        return labels;
    }

    /// <summary>
    /// HDBSCAN* (Campello, Moulavi and Sander 2013) on cosine distances: core distance to the
    /// <paramref name="minSamples"/>-th nearest point (itself included), mutual reachability, its minimum spanning
    /// tree, the condensed tree at <paramref name="minClusterSize"/> and excess-of-mass selection (root excluded,
    /// as hdbscan's allow_single_cluster=False). Noise points get a label each.
    /// </summary>
    public static int[] Hdbscan(EmbeddingMatrix matrix, int minClusterSize, int minSamples)
    {
        var n = matrix.Count;
        var labels = new int[n];
        if (n < 2)
        {
            return labels;
        }

        var d = Distances(matrix);
        var core = new float[n];
        for (var i = 0; i < n; i++)
        {
            var row = d.AsSpan(i * n, n).ToArray();
            Array.Sort(row);
            core[i] = row[Math.Min(minSamples - 1, n - 1)];
        }

        float Reach(int i, int j) => Math.Max(d[(i * n) + j], Math.Max(core[i], core[j]));

        // Prim's minimum spanning tree of the mutual reachability graph.
        var inTree = new bool[n];
        var best = Enumerable.Repeat(float.MaxValue, n).ToArray();
        var from = new int[n];
        var edges = new List<(int A, int B, float W)>();
        var current = 0;
        inTree[0] = true;
        for (var step = 1; step < n; step++)
        {
            for (var j = 0; j < n; j++)
            {
                if (!inTree[j] && Reach(current, j) < best[j])
                {
                    best[j] = Reach(current, j);
                    from[j] = current;
                }
            }

            var next = -1;
            for (var j = 0; j < n; j++)
            {
                if (!inTree[j] && (next < 0 || best[j] < best[next]))
                {
                    next = j;
                }
            }

            edges.Add((from[next], next, best[next]));
            inTree[next] = true;
            current = next;
        }

        edges.Sort((x, y) => x.W.CompareTo(y.W));

        // Single-linkage tree: nodes n..2n−2.
        var nodes = (2 * n) - 1;
        var left = new int[nodes];
        var right = new int[nodes];
        var height = new float[nodes];
        var size = new int[nodes];
        var parent = Enumerable.Range(0, nodes).ToArray();
        for (var i = 0; i < n; i++)
        {
            size[i] = 1;
        }

        var created = n;
        foreach (var (a, b, w) in edges)
        {
            var ra = AgglomerativeClustering.Find(parent, a);
            var rb = AgglomerativeClustering.Find(parent, b);
            (left[created], right[created], height[created], size[created]) = (ra, rb, w, size[ra] + size[rb]);
            parent[ra] = created;
            parent[rb] = created;
            created++;
        }

        // Condensed tree: clusters with birth λ, their stability and the points that fell out of each.
        var birth = new List<double>();
        var stability = new List<double>();
        var fellOut = new List<List<int>>();
        var children = new List<List<int>>();
        int NewCluster(int parentCluster, double lambda)
        {
            birth.Add(lambda);
            stability.Add(0);
            fellOut.Add([]);
            children.Add([]);
            if (parentCluster >= 0)
            {
                children[parentCluster].Add(birth.Count - 1);
            }

            return birth.Count - 1;
        }

        IEnumerable<int> Leaves(int node)
        {
            var stack = new Stack<int>([node]);
            while (stack.Count > 0)
            {
                var x = stack.Pop();
                if (x < n)
                {
                    yield return x;
                }
                else
                {
                    stack.Push(left[x]);
                    stack.Push(right[x]);
                }
            }
        }

        var work = new Stack<(int Node, int Cluster)>();
        work.Push((nodes - 1, NewCluster(-1, 0)));
        while (work.Count > 0)
        {
            var (node, cluster) = work.Pop();
            if (node < n)
            {
                fellOut[cluster].Add(node);
                continue;
            }

            var lambda = height[node] > 0 ? 1.0 / height[node] : 1e9;
            var (l, r) = (left[node], right[node]);
            if (size[l] >= minClusterSize && size[r] >= minClusterSize)
            {
                stability[cluster] += size[node] * (lambda - birth[cluster]);
                work.Push((l, NewCluster(cluster, lambda)));
                work.Push((r, NewCluster(cluster, lambda)));
                continue;
            }

            foreach (var child in new[] { l, r })
            {
                if (size[child] >= minClusterSize)
                {
                    work.Push((child, cluster));
                }
                else
                {
                    foreach (var point in Leaves(child))
                    {
                        stability[cluster] += lambda - birth[cluster];
                        fellOut[cluster].Add(point);
                    }
                }
            }
        }

        // Excess of mass, bottom-up (children have higher ids than their parent).
        var count = birth.Count;
        var selected = new bool[count];
        var subtree = new double[count];
        for (var c = count - 1; c >= 0; c--)
        {
            var childSum = children[c].Sum(x => subtree[x]);
            selected[c] = children[c].Count == 0 || (c != 0 && stability[c] >= childSum);
            subtree[c] = selected[c] ? stability[c] : childSum;
        }

        for (var i = 0; i < n; i++)
        {
            labels[i] = -1 - i;
        }

        void Assign(int c, int? into)
        {
            var label = into ?? (selected[c] ? c : (int?)null);
            if (label is { } l)
            {
                foreach (var p in fellOut[c])
                {
                    labels[p] = l;
                }
            }

            foreach (var child in children[c])
            {
                Assign(child, label);
            }
        }

        Assign(0, null);
        return labels;
    }
}
