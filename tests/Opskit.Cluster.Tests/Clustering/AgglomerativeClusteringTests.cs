using Opskit.Cluster.Clustering;

namespace Opskit.Cluster.Tests.Clustering;

public sealed class AgglomerativeClusteringTests
{
    [Fact]
    public void Dendrogram_heights_are_average_linkage_cosine_distances()
    {
        // Angles 0, 10, 20 | 90, 100: worked out by hand from 1 − cos(Δ).
        var matrix = Vectors.OnCircle(0, 10, 20, 90, 100);
        var heights = AgglomerativeClustering.Dendrogram(matrix).Select(m => (double)m.Distance).Order().ToArray();
        var tenDegrees = Vectors.Distance(10);
        var expected = new[]
        {
            tenDegrees,                                           // {0°,10°}
            tenDegrees,                                           // {90°,100°}
            (Vectors.Distance(20) + tenDegrees) / 2,              // {0°,10°} + 20°: mean of 20° and 10° gaps
            new double[] { 90, 100, 80, 90, 70, 80 }.Average(Vectors.Distance), // the two groups: mean of six pairs
        };
        Assert.Equal(expected.Length, heights.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], heights[i], 4);
        }
    }

    [Fact]
    public void Threshold_between_levels_gives_the_two_groups()
    {
        var labels = AgglomerativeClustering.Cluster(Vectors.OnCircle(0, 10, 20, 90, 100), 0.1f);
        Assert.Equal(new[] { 0, 0, 0, 3, 3 }, labels);
    }

    [Fact]
    public void Merge_at_exactly_the_threshold_does_not_happen()
    {
        var matrix = Vectors.OnCircle(0, 60);
        Assert.Equal(new[] { 0, 1 }, AgglomerativeClustering.Cluster(matrix, 0.5f));
        Assert.Equal(new[] { 0, 0 }, AgglomerativeClustering.Cluster(matrix, 0.5001f));
    }

    [Fact]
    public void Single_linkage_chain_is_not_merged_by_average_linkage()
    {
        // Gaps 38°, 42°, 38°: single linkage would chain all four below 0.26 (1 − cos42° ≈ 0.257); average
        // linkage merges the two pairs (0.212) and then sees a mean distance of ≈ 0.845 between them.
        var labels = AgglomerativeClustering.Cluster(Vectors.OnCircle(0, 38, 80, 118), 0.26f);
        Assert.Equal(new[] { 0, 0, 2, 2 }, labels);
    }

    [Fact]
    public void One_point_is_one_cluster_and_no_points_is_none()
    {
        Assert.Equal(new[] { 0 }, AgglomerativeClustering.Cluster(Vectors.OnCircle(5), 0.85f));
        Assert.Empty(AgglomerativeClustering.Cluster(Vectors.OnCircle(), 0.85f));
    }

    [Fact]
    public void Same_input_gives_same_labels_including_ties()
    {
        var matrix = Vectors.OnCircle(0, 0, 0, 180, 180, 90);
        Assert.Equal(AgglomerativeClustering.Cluster(matrix, 0.5f), AgglomerativeClustering.Cluster(matrix, 0.5f));
        Assert.Equal(new[] { 0, 0, 0, 3, 3, 5 }, AgglomerativeClustering.Cluster(matrix, 0.5f));
    }
}
