namespace Opskit.Cluster.Clustering;

/// <summary>
/// Louvain modularity communities (Blondel et al. 2008) of the symmetrized k-nearest-neighbour graph of the
/// sentences, edge weight = cosine similarity (floored at 0). A kNN graph sees local density, so it can keep
/// together a topic whose members are close only to a few others each, which an average-linkage cut of the
/// whole dendrogram splits (docs/cluster.md, "Quality": the ops sub-areas). Deterministic: nodes are visited
/// in index order, ties go to the lower community, and neighbours at equal distance to the lower index.
/// O(n²) to find the neighbours from the distance matrix, then O(n·k) per Louvain pass.
/// </summary>
internal static class NeighbourGraphCommunities
{
    /// <summary>Neighbours per sentence in the graph (fixed before measuring; see docs/cluster.md for other values).</summary>
    public const int DefaultNeighbours = 10;

    /// <summary>Upper bound of local-moving passes per level (each pass is one sweep over the nodes).</summary>
    private const int MaxPasses = 100;

    /// <summary>Community per sentence, numbered 0, 1, … from the n×n <paramref name="distance"/> matrix (cosine distances).</summary>
    public static int[] Detect(float[] distance, int n, int neighbours, double resolution)
    {
        ArgumentNullException.ThrowIfNull(distance);
        var membership = new int[n];
        if (n < 3)
        {
            return membership;
        }

        var graph = NeighbourGraph(distance, n, Math.Min(neighbours, n - 1));
        for (var i = 0; i < n; i++)
        {
            membership[i] = i;
        }

        while (true)
        {
            var count = graph.Length;
            var community = MoveNodes(graph, resolution, out var moved);
            if (!moved)
            {
                break;
            }

            // Renumber the communities in ascending order of their old ids, then collapse each into one node.
            var index = new int[count];
            Array.Fill(index, -1);
            var next = 0;
            var used = new bool[count];
            foreach (var c in community)
            {
                used[c] = true;
            }

            for (var c = 0; c < count; c++)
            {
                if (used[c])
                {
                    index[c] = next++;
                }
            }

            var aggregated = new Dictionary<int, double>[next];
            for (var c = 0; c < next; c++)
            {
                aggregated[c] = [];
            }

            for (var i = 0; i < count; i++)
            {
                var from = index[community[i]];
                foreach (var (j, weight) in graph[i])
                {
                    var to = index[community[j]];
                    aggregated[from][to] = aggregated[from].GetValueOrDefault(to) + weight;
                }
            }

            for (var p = 0; p < n; p++)
            {
                membership[p] = index[community[membership[p]]];
            }

            graph = aggregated;
            if (next == count)
            {
                break;
            }
        }

        return membership;
    }

    /// <summary>Adjacency (including self-loops of aggregated nodes) of the symmetrized kNN graph.</summary>
    private static Dictionary<int, double>[] NeighbourGraph(float[] distance, int n, int k)
    {
        var graph = new Dictionary<int, double>[n];
        for (var i = 0; i < n; i++)
        {
            graph[i] = [];
        }

        var nearest = new int[k];
        for (var i = 0; i < n; i++)
        {
            // Insertion into a sorted buffer of the k nearest so far: O(n·k), no sort of the whole row.
            var found = 0;
            var row = distance.AsSpan(i * n, n);
            for (var j = 0; j < n; j++)
            {
                if (j == i || (found == k && row[j] >= row[nearest[k - 1]]))
                {
                    continue;
                }

                var position = found < k ? found++ : k - 1;
                while (position > 0 && row[nearest[position - 1]] > row[j])
                {
                    nearest[position] = nearest[position - 1];
                    position--;
                }

                nearest[position] = j;
            }

            for (var m = 0; m < found; m++)
            {
                var j = nearest[m];
                var weight = 1.0 - row[j];
                if (weight <= 0)
                {
                    continue; // orthogonal or opposite: no edge, as a zero similarity carries no evidence
                }

                graph[i][j] = weight;
                graph[j][i] = weight;
            }
        }

        return graph;
    }

    /// <summary>Louvain's local moving phase: each node joins the neighbouring community with the largest modularity gain.</summary>
    private static int[] MoveNodes(Dictionary<int, double>[] graph, double resolution, out bool moved)
    {
        var count = graph.Length;
        var community = new int[count];
        var degree = new double[count];
        var total = new double[count];
        double totalWeight = 0;
        for (var i = 0; i < count; i++)
        {
            community[i] = i;
            foreach (var weight in graph[i].Values)
            {
                degree[i] += weight;
            }

            total[i] = degree[i];
            totalWeight += degree[i];
        }

        moved = false;
        if (totalWeight <= 0)
        {
            return community;
        }

        var links = new SortedDictionary<int, double>();
        var changed = true;
        for (var pass = 0; changed && pass < MaxPasses; pass++)
        {
            changed = false;
            for (var i = 0; i < count; i++)
            {
                var own = community[i];
                total[own] -= degree[i];
                links.Clear();
                foreach (var (j, weight) in graph[i])
                {
                    if (j != i)
                    {
                        links[community[j]] = links.GetValueOrDefault(community[j]) + weight;
                    }
                }

                var best = own;
                var bestGain = links.GetValueOrDefault(own) - (resolution * total[own] * degree[i] / totalWeight);
                foreach (var (candidate, weight) in links)
                {
                    var gain = weight - (resolution * total[candidate] * degree[i] / totalWeight);
                    if (gain > bestGain + 1e-12)
                    {
                        bestGain = gain;
                        best = candidate;
                    }
                }

                community[i] = best;
                total[best] += degree[i];
                if (best != own)
                {
                    changed = true;
                    moved = true;
                }
            }
        }

        return community;
    }
}
