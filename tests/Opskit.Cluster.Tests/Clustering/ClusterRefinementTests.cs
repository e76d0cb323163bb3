using Opskit.Cluster.Clustering;

namespace Opskit.Cluster.Tests.Clustering;

public sealed class ClusterRefinementTests
{
    [Fact]
    public void Point_closer_on_average_to_another_cluster_moves_there()
    {
        // 40° starts in the group around 0°, but its mean distance to 50°/60°/70° is lower than to 0°/10°.
        var matrix = Vectors.OnCircle(0, 10, 40, 50, 60, 70);
        int[] labels = [0, 0, 0, 1, 1, 1];
        ClusterRefinement.Refine(OtherMethods.Distances(matrix), 6, labels, 2, 0.85f);
        Assert.Equal(new[] { 0, 0, 1, 1, 1, 1 }, labels);
    }

    [Fact]
    public void Outlier_singleton_stays_alone_unless_within_the_join_limit()
    {
        // 100° is a singleton; its mean distance to {0°, 10°} is ≈ 1.09, to {150°, 160°} ≈ 0.43.
        var matrix = Vectors.OnCircle(0, 10, 100, 150, 160);
        var distance = OtherMethods.Distances(matrix);
        int[] strict = [0, 0, 1, 2, 2];
        ClusterRefinement.Refine(distance, 5, strict, 3, 0.2f);
        Assert.Equal(new[] { 0, 0, 1, 2, 2 }, strict);
        int[] loose = [0, 0, 1, 2, 2];
        ClusterRefinement.Refine(distance, 5, loose, 3, 0.5f);
        Assert.Equal(new[] { 0, 0, 2, 2, 2 }, loose);
    }

    [Fact]
    public void Mean_silhouette_matches_the_definition()
    {
        // Two groups; singletons score 0. By hand from s = (b − a) / max(a, b) with cosine distances.
        var matrix = Vectors.OnCircle(0, 20, 90, 100, 200);
        int[] labels = [0, 0, 1, 1, 2];
        double D(double degrees) => Vectors.Distance(degrees);
        var s0 = Score(D(20), Math.Min((D(90) + D(100)) / 2, D(160)));
        var s1 = Score(D(20), Math.Min((D(70) + D(80)) / 2, D(180)));
        var s2 = Score(D(10), Math.Min((D(90) + D(70)) / 2, D(110)));
        var s3 = Score(D(10), Math.Min((D(100) + D(80)) / 2, D(100)));
        var expected = (s0 + s1 + s2 + s3) / 5;
        Assert.Equal(expected, ClusterRefinement.MeanSilhouette(OtherMethods.Distances(matrix), 5, labels, 3), 5);
        Assert.True(double.IsNaN(ClusterRefinement.MeanSilhouette(OtherMethods.Distances(matrix), 5, [0, 0, 0, 0, 0], 1)));

        static double Score(double a, double b) => (b - a) / Math.Max(a, b);
    }

    [Fact]
    public void Compact_numbers_labels_by_first_appearance()
    {
        int[] labels = [7, 3, 7, -2, 3];
        Assert.Equal(3, ClusterRefinement.Compact(labels));
        Assert.Equal(new[] { 0, 1, 0, 2, 1 }, labels);
    }
}
