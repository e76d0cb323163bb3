using Opskit.Cluster.Clustering;

namespace Opskit.Cluster.Tests.Clustering;

public sealed class SilhouetteCutTests
{
    private static float Choose(EmbeddingMatrix matrix) => SilhouetteCut.Choose(matrix, AgglomerativeClustering.Dendrogram(matrix));

    [Fact]
    public void Obvious_gap_is_cut_at_the_lowest_grid_threshold_that_separates_the_groups()
    {
        // Pairs at 0°/10°, 70°/80°, 180°/190°: pairs merge at 1 − cos 10° = 0.015, the first two pairs at
        // 0.661, the root at 1.666. Grid cuts below 0.661 give the three pairs (silhouette 0.981), above it
        // {0,10,70,80} and the last pair (0.810): the pairs win, first reached at 0.50.
        var matrix = Vectors.OnCircle(0, 10, 70, 80, 180, 190);
        var threshold = Choose(matrix);
        Assert.Equal(0.50f, threshold);
        Assert.Equal(new[] { 0, 0, 2, 2, 4, 4 }, AgglomerativeClustering.Cut(6, AgglomerativeClustering.Dendrogram(matrix), threshold));
    }

    [Fact]
    public void Loose_groups_are_joined_when_that_raises_the_silhouette()
    {
        // 0°, 55°, 75°, 130° | 240°, 290°. Merges: 55/75 at 0.060, 240/290 at 0.357, 0° joins 55/75 at
        // 0.584, 130° joins those at 0.937, root 1.599. Mean silhouettes from the definition
        // (s = (b − a) / max(a, b), singletons 0): four clusters (cuts 0.50–0.58) 0.485, three (0.59–0.93)
        // 0.443, two (0.94–1.00) 0.611. The widest grouping wins although its clusters are loose.
        var matrix = Vectors.OnCircle(0, 55, 75, 130, 240, 290);
        var threshold = Choose(matrix);
        Assert.Equal(0.94f, threshold);
        Assert.Equal(new[] { 0, 0, 0, 0, 4, 4 }, AgglomerativeClustering.Cut(6, AgglomerativeClustering.Dendrogram(matrix), threshold));
    }

    [Fact]
    public void Everything_within_the_fixed_default_stays_one_cluster()
    {
        // Root merge of 0°..60° is below 0.85, and a silhouette cannot score one cluster.
        var matrix = Vectors.OnCircle(0, 15, 30, 45, 60);
        Assert.Equal(ClusteringParameters.DefaultDistanceThreshold, Choose(matrix));
        var result = SentenceClusterer.Cluster(matrix, new ClusteringParameters());
        Assert.Single(result.Clusters);
        Assert.Equal(ClusteringParameters.DefaultDistanceThreshold, result.Threshold);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Fewer_than_three_points_use_the_fixed_default(int count)
    {
        var matrix = Vectors.OnCircle([.. Enumerable.Range(0, count).Select(i => i * 170.0)]);
        Assert.Equal(ClusteringParameters.DefaultDistanceThreshold, Choose(matrix));
    }

    [Fact]
    public void Choice_matches_a_reference_silhouette_computed_from_the_definition()
    {
        // Noisy groups on the 8-dimensional sphere; the reference scores every grid cut naively.
        var random = new Random(11);
        var centres = Enumerable.Range(0, 5).Select(_ => RandomUnit(random, 8, null, 0)).ToArray();
        var rows = Enumerable.Range(0, 60).Select(i => RandomUnit(random, 8, centres[i % 5], 0.6 + (i % 4 * 0.6))).ToArray();
        var matrix = EmbeddingMatrix.FromRows(rows);
        var merges = AgglomerativeClustering.Dendrogram(matrix);
        var best = (Score: double.NegativeInfinity, Threshold: 0f);
        var scored = new HashSet<string>();
        for (var hundredths = 50; hundredths <= 100; hundredths++)
        {
            var labels = AgglomerativeClustering.Cut(matrix.Count, merges, hundredths / 100f);
            if (labels.Distinct().Count() > 1 && scored.Add(string.Join(',', labels)))
            {
                var score = ReferenceSilhouette(matrix, labels);
                if (score > best.Score + 1e-9)
                {
                    best = (score, hundredths / 100f);
                }
            }
        }

        Assert.True(scored.Count >= 5, $"only {scored.Count} distinct cuts: the case does not exercise the choice");
        Assert.Equal(best.Threshold, SilhouetteCut.Choose(matrix, merges));
        Assert.Equal(SilhouetteCut.Choose(matrix, merges), SilhouetteCut.Choose(matrix, AgglomerativeClustering.Dendrogram(matrix)));
    }

    [Fact]
    public void Explicit_threshold_is_a_fixed_cut_and_is_reported()
    {
        var matrix = Vectors.OnCircle(0, 10, 70, 80, 180, 190);
        var result = SentenceClusterer.Cluster(matrix, new ClusteringParameters { Threshold = 0.7f });
        Assert.Equal(2, result.Clusters.Count);
        Assert.Equal(0.7f, result.Threshold);
        Assert.Null(SentenceClusterer.Cluster(matrix, new ClusteringParameters { Algorithm = ClusteringAlgorithm.KMeans, K = 2 }).Threshold);
    }

    private static double ReferenceSilhouette(EmbeddingMatrix matrix, int[] labels)
    {
        var total = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            var own = Enumerable.Range(0, labels.Length).Where(j => j != i && labels[j] == labels[i]).ToArray();
            if (own.Length == 0)
            {
                continue;
            }

            var a = own.Average(j => 1.0 - matrix.Cosine(i, j));
            var b = labels.Where(l => l != labels[i]).Distinct()
                .Min(l => Enumerable.Range(0, labels.Length).Where(j => labels[j] == l).Average(j => 1.0 - matrix.Cosine(i, j)));
            total += (b - a) / Math.Max(a, b);
        }

        return total / labels.Length;
    }

    private static float[] RandomUnit(Random random, int dimension, float[]? centre, double noise)
    {
        var v = new float[dimension];
        for (var d = 0; d < dimension; d++)
        {
            v[d] = (float)(((centre?[d] ?? 0) * 1.0) + ((random.NextDouble() - 0.5) * (centre is null ? 2 : noise)));
        }

        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }
}
