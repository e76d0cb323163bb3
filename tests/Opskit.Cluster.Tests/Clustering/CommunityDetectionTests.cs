using Opskit.Cluster.Clustering;

namespace Opskit.Cluster.Tests.Clustering;

public sealed class CommunityDetectionTests
{
    [Fact]
    public void Community_lists_its_centre_first_then_by_similarity()
    {
        // cos(30°) ≈ 0.866 ≥ 0.75, cos(45°) ≈ 0.707 < 0.75.
        var matrix = Vectors.OnCircle(0, 20, 30, 90);
        var communities = CommunityDetection.Detect(matrix, 0.75f, 3);
        // Seeds with ≥3 neighbours: 0° {0,20,30}, 20° {20,30,0}, 30° {30,20,0}; the first (point 0) wins.
        var community = Assert.Single(communities);
        Assert.Equal(new[] { 0, 1, 2 }, community);
    }

    [Fact]
    public void Overlapping_members_are_removed_and_small_leftovers_dropped()
    {
        // Group A around 0° (4 points), group B around 90° (2 points), one point at 45° near neither at 0.9.
        var matrix = Vectors.OnCircle(0, 5, 10, 15, 90, 95, 45);
        var communities = CommunityDetection.Detect(matrix, 0.9f, 2);
        Assert.Equal(2, communities.Count);
        Assert.Equal(4, communities[0].Length);
        Assert.Equal(new[] { 4, 5 }, communities[1]);
        Assert.DoesNotContain(communities, c => c.Contains(6));
    }

    [Fact]
    public void Min_community_size_is_capped_at_the_number_of_points()
    {
        var matrix = Vectors.OnCircle(0, 1, 2);
        var community = Assert.Single(CommunityDetection.Detect(matrix, 0.75f, 10));
        Assert.Equal(3, community.Length);
    }
}
