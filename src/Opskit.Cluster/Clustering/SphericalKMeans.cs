using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Clustering;

/// <summary>
/// Spherical k-means: points and centroids on the unit sphere, assignment by cosine, centroid = normalized
/// mean. k-means++ seeding (weights 1 − cos of the nearest chosen centre, squared), several restarts keeping the
/// lowest inertia (Σ 1 − cos to the own centroid), and a fixed seed so the same input gives the same clusters.
/// </summary>
internal static class SphericalKMeans
{
    public const int DefaultSeed = 42;

    public static int[] Cluster(EmbeddingMatrix matrix, int k, int restarts = 10, int maxIterations = 100, int seed = DefaultSeed)
    {
        var n = matrix.Count;
        if (n == 0)
        {
            return [];
        }

        k = Math.Clamp(k, 1, n);
        var random = new Random(seed);
        int[]? bestLabels = null;
        var bestInertia = double.PositiveInfinity;
        for (var run = 0; run < Math.Max(1, restarts); run++)
        {
            var (labels, inertia) = RunOnce(matrix, k, maxIterations, random);
            if (inertia < bestInertia - 1e-9)
            {
                bestInertia = inertia;
                bestLabels = labels;
            }
        }

        return bestLabels!;
    }

    private static (int[] Labels, double Inertia) RunOnce(EmbeddingMatrix matrix, int k, int maxIterations, Random random)
    {
        var n = matrix.Count;
        var dimension = matrix.Dimension;
        var centroids = new float[k * dimension];
        Seed(matrix, k, random, centroids);
        var labels = new int[n];
        Array.Fill(labels, -1);
        var similarity = new float[n];
        var counts = new int[k];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            var changed = false;
            for (var i = 0; i < n; i++)
            {
                var best = 0;
                var bestScore = float.NegativeInfinity;
                for (var c = 0; c < k; c++)
                {
                    var score = VectorMath.Dot(matrix.Row(i), centroids.AsSpan(c * dimension, dimension));
                    if (score > bestScore)
                    {
                        bestScore = score;
                        best = c;
                    }
                }

                similarity[i] = bestScore;
                if (labels[i] != best)
                {
                    labels[i] = best;
                    changed = true;
                }
            }

            if (!changed && iteration > 0)
            {
                break;
            }

            Array.Clear(centroids);
            Array.Clear(counts);
            for (var i = 0; i < n; i++)
            {
                VectorMath.AddTo(matrix.Row(i), centroids.AsSpan(labels[i] * dimension, dimension));
                counts[labels[i]]++;
            }

            for (var c = 0; c < k; c++)
            {
                if (counts[c] == 0)
                {
                    // An empty cluster restarts at the point worst served by its centroid.
                    var worst = 0;
                    for (var i = 1; i < n; i++)
                    {
                        if (similarity[i] < similarity[worst])
                        {
                            worst = i;
                        }
                    }

                    matrix.Row(worst).CopyTo(centroids.AsSpan(c * dimension, dimension));
                    similarity[worst] = 1f;
                }

                VectorMath.Normalize(centroids.AsSpan(c * dimension, dimension));
            }
        }

        double inertia = 0;
        for (var i = 0; i < n; i++)
        {
            inertia += 1 - VectorMath.Dot(matrix.Row(i), centroids.AsSpan(labels[i] * dimension, dimension));
        }

        return (labels, inertia);
    }

    private static void Seed(EmbeddingMatrix matrix, int k, Random random, float[] centroids)
    {
        var n = matrix.Count;
        var dimension = matrix.Dimension;
        var nearest = new double[n];
        var first = random.Next(n);
        matrix.Row(first).CopyTo(centroids.AsSpan(0, dimension));
        for (var i = 0; i < n; i++)
        {
            nearest[i] = Weight(matrix, i, centroids.AsSpan(0, dimension));
        }

        for (var c = 1; c < k; c++)
        {
            double total = 0;
            for (var i = 0; i < n; i++)
            {
                total += nearest[i];
            }

            var chosen = 0;
            if (total <= 0)
            {
                chosen = random.Next(n);
            }
            else
            {
                var target = random.NextDouble() * total;
                for (chosen = 0; chosen < n - 1; chosen++)
                {
                    target -= nearest[chosen];
                    if (target < 0)
                    {
                        break;
                    }
                }
            }

            var centre = centroids.AsSpan(c * dimension, dimension);
            matrix.Row(chosen).CopyTo(centre);
            for (var i = 0; i < n; i++)
            {
                nearest[i] = Math.Min(nearest[i], Weight(matrix, i, centre));
            }
        }
    }

    private static double Weight(EmbeddingMatrix matrix, int i, ReadOnlySpan<float> centre)
    {
        var distance = Math.Max(0, 1 - VectorMath.Dot(matrix.Row(i), centre));
        return distance * distance;
    }
}
