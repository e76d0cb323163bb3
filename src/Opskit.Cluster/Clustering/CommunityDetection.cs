namespace Opskit.Cluster.Clustering;

/// <summary>
/// sentence-transformers' <c>util.community_detection</c>: every point with at least
/// <c>min_community_size</c> neighbours (itself included) at cosine ≥ threshold seeds a community of
/// those neighbours, most similar first (so the centre leads); communities are taken largest first,
/// members already taken are removed, and what is left is kept if still large enough.
/// </summary>
internal static class CommunityDetection
{
    public static List<int[]> Detect(EmbeddingMatrix matrix, float threshold, int minCommunitySize)
    {
        var n = matrix.Count;
        var result = new List<int[]>();
        if (n == 0)
        {
            return result;
        }

        minCommunitySize = Math.Clamp(minCommunitySize, 1, n);
        var extracted = new List<int[]>();
        var scores = new float[n];
        var members = new List<int>(n);
        for (var i = 0; i < n; i++)
        {
            members.Clear();
            for (var j = 0; j < n; j++)
            {
                scores[j] = matrix.Cosine(i, j);
                if (scores[j] >= threshold)
                {
                    members.Add(j);
                }
            }

            if (members.Count >= minCommunitySize)
            {
                // Most similar first; equal scores by index (torch.topk leaves ties unspecified).
                members.Sort((a, b) => scores[a] != scores[b] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));
                extracted.Add([.. members]);
            }
        }

        // Largest first; List.Sort is not stable, so break ties by discovery order as Python's sorted does.
        var order = Enumerable.Range(0, extracted.Count).ToArray();
        Array.Sort(order, (a, b) => extracted[a].Length != extracted[b].Length ? extracted[b].Length.CompareTo(extracted[a].Length) : a.CompareTo(b));
        var taken = new bool[n];
        foreach (var index in order)
        {
            members.Clear();
            foreach (var member in extracted[index])
            {
                if (!taken[member])
                {
                    members.Add(member);
                }
            }

            if (members.Count >= minCommunitySize)
            {
                foreach (var member in members)
                {
                    taken[member] = true;
                }

                result.Add([.. members]);
            }
        }

        var final = Enumerable.Range(0, result.Count).ToArray();
        Array.Sort(final, (a, b) => result[a].Length != result[b].Length ? result[b].Length.CompareTo(result[a].Length) : a.CompareTo(b));
        return [.. final.Select(i => result[i])];
    }
}
