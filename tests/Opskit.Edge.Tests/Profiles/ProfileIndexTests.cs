using System.Text;
using Opskit.Edge.Profiles;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Profiles;

public sealed class ProfileIndexTests
{
    [Fact]
    public void Index_never_misses_an_id_it_was_built_from_and_rejects_almost_all_others()
    {
        var ids = Enumerable.Range(0, 100_000).Select(i => Encoding.UTF8.GetBytes($"user-{i * 2:D8}")).ToArray();
        var fingerprints = ids.Select(id => ProfileIndex.Fingerprint(id)).ToArray();
        var index = ProfileIndex.Build(fingerprints, fingerprints.Length);

        Assert.All(ids, id => Assert.True(index.MayContain(id)));
        var falsePositives = Enumerable.Range(0, 100_000).Count(i => index.MayContain(Encoding.UTF8.GetBytes($"user-{(i * 2) + 1:D8}")));
        Assert.Equal(0, falsePositives);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Small_and_empty_indexes_work(int count)
    {
        var fingerprints = Enumerable.Range(0, count).Select(i => ProfileIndex.Fingerprint(Encoding.UTF8.GetBytes($"u{i}"))).ToArray();
        var index = ProfileIndex.Build(fingerprints, count);

        for (var i = 0; i < count; i++)
        {
            Assert.True(index.MayContain(Encoding.UTF8.GetBytes($"u{i}")));
        }

        Assert.False(index.MayContain("absent"u8));
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

        await Eventually.AssertAsync(() => store.IndexReady, TimeSpan.FromSeconds(10), "index built");
        var after = Answers(store);

        Assert.Equal(before, after);
        Assert.Equal(4500, after.Count(found => found));
    }

    private static bool[] Answers(ProfileStore store) =>
        Enumerable.Range(0, 10_000).Select(i => store.Lookup(Encoding.UTF8.GetBytes($"id-{i}")) == ProfileLookupResult.Found).ToArray();
}
