using System.Text;
using Opskit.Edge.Profiles;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Profiles;

public sealed class ProfileIndexTests
{
    private static ProfileIndex Index(IEnumerable<string> ids)
    {
        var builder = new ProfileIndex.Builder();
        foreach (var id in ids)
        {
            Assert.True(builder.Add(Encoding.UTF8.GetBytes(id)));
        }

        return builder.Build();
    }

    [Fact]
    public void Index_contains_exactly_the_ids_it_was_built_from()
    {
        var index = Index(Enumerable.Range(0, 100_000).Select(i => $"user-{i * 2:D8}"));

        Assert.Equal(100_000, index.Count);
        for (var i = 0; i < 200_000; i++)
        {
            Assert.Equal(i % 2 == 0, index.Contains(Encoding.UTF8.GetBytes($"user-{i:D8}")));
        }

        Assert.False(index.Contains("user-0000000"u8));
        Assert.False(index.Contains("user-000000000"u8));
        Assert.False(index.Contains(""u8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Small_and_empty_indexes_work(int count)
    {
        var index = Index(Enumerable.Range(0, count).Select(i => $"u{i}"));

        for (var i = 0; i < count; i++)
        {
            Assert.True(index.Contains(Encoding.UTF8.GetBytes($"u{i}")));
        }

        Assert.False(index.Contains("absent"u8));
    }

    [Fact]
    public async Task Store_answers_the_same_with_and_without_its_index()
    {
        using var dir = new TempDirectory("opskit-edge-index");
        var path = dir.File("p.db");
        ProfileFiles.Create(path, Enumerable.Range(0, 5000).Select(i => $"id-{i}"), flagColumn: "has_profile", flag: id => !id.EndsWith('7'));
        using var metrics = new EdgeMetrics();
        using var store = new ProfileStore(path, new ProfileTableSchema(), new ListLogger(), metrics, TimeProvider.System);
        var before = Answers(store);

        await Eventually.AssertAsync(() => store.IndexReady, TimeSpan.FromSeconds(60), "index built");
        var after = Answers(store);

        Assert.Equal(before, after);
        Assert.Equal(4500, after.Count(found => found));
        Assert.Equal(ProfileLookupResult.NotFound, store.Lookup("x' OR '1'='1"u8));
    }

    private static bool[] Answers(ProfileStore store) =>
        Enumerable.Range(0, 10_000).Select(i => store.Lookup(Encoding.UTF8.GetBytes($"id-{i}")) == ProfileLookupResult.Found).ToArray();
}
