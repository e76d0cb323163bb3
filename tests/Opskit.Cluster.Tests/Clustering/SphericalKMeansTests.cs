using Opskit.Cluster.Clustering;

namespace Opskit.Cluster.Tests.Clustering;

public sealed class SphericalKMeansTests
{
    [Fact]
    public void Two_tight_groups_are_found_with_k_2()
    {
        var labels = SphericalKMeans.Cluster(Vectors.OnCircle(0, 5, 10, 170, 175, 180), 2);
        Assert.Equal(labels[0], labels[1]);
        Assert.Equal(labels[0], labels[2]);
        Assert.Equal(labels[3], labels[4]);
        Assert.Equal(labels[3], labels[5]);
        Assert.NotEqual(labels[0], labels[3]);
    }

    [Fact]
    public void Same_input_and_seed_give_the_same_labels()
    {
        var angles = Enumerable.Range(0, 60).Select(i => (double)((i * 37) % 360)).ToArray();
        var matrix = Vectors.OnCircle(angles);
        Assert.Equal(SphericalKMeans.Cluster(matrix, 5), SphericalKMeans.Cluster(matrix, 5));
    }

    [Fact]
    public void K_larger_than_the_points_gives_one_cluster_per_point()
    {
        var labels = SphericalKMeans.Cluster(Vectors.OnCircle(0, 90, 180), 10);
        Assert.Equal(3, labels.Distinct().Count());
    }
}
