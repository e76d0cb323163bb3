using Opskit.Cluster.Clustering;

namespace Opskit.Cluster.Tests.Clustering;

public sealed class NeighbourGraphCommunitiesTests
{
    [Fact]
    public void Two_tight_groups_far_apart_are_two_communities()
    {
        // Five points around 0° and five around 120°: with 4 neighbours each, every edge stays inside its group.
        var matrix = Vectors.OnCircle(0, 3, 6, 9, 12, 120, 123, 126, 129, 132);
        var labels = NeighbourGraphCommunities.Detect(OtherMethods.Distances(matrix), matrix.Count, 4, 1.0);
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 }, labels);
    }

    [Fact]
    public void Higher_resolution_splits_a_group_into_more_communities()
    {
        // Four tight pairs on an arc: one neighbour graph, but resolution decides how many communities it holds.
        var matrix = Vectors.OnCircle(0, 1, 20, 21, 40, 41, 60, 61);
        var distance = OtherMethods.Distances(matrix);
        var coarse = NeighbourGraphCommunities.Detect(distance, matrix.Count, 7, 0.5).Distinct().Count();
        var fine = NeighbourGraphCommunities.Detect(distance, matrix.Count, 7, 3.0).Distinct().Count();
        Assert.True(fine > coarse, $"resolution 3 gave {fine} communities, 0.5 gave {coarse}");
    }

    [Fact]
    public void Same_input_gives_the_same_communities_and_small_inputs_one()
    {
        var matrix = Vectors.OnCircle([.. Enumerable.Range(0, 40).Select(i => (double)((i * 37) % 360))]);
        var distance = OtherMethods.Distances(matrix);
        Assert.Equal(NeighbourGraphCommunities.Detect(distance, 40, 10, 1.0), NeighbourGraphCommunities.Detect(distance, 40, 10, 1.0));
        var pair = Vectors.OnCircle(0, 90);
        Assert.Equal(new[] { 0, 0 }, NeighbourGraphCommunities.Detect(OtherMethods.Distances(pair), 2, 10, 1.0));
    }
}
