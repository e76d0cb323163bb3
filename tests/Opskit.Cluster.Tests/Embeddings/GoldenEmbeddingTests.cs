using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Tests.Embeddings;

[Collection(ModelCollection.Name)]
public sealed class GoldenEmbeddingTests(ModelFixture fixture)
{
    public static TheoryData<int> GoldenIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < GoldenFile.Items.Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void Golden_file_has_the_cases_the_issue_names()
    {
        Assert.True(GoldenFile.Items.Count >= 20);
        Assert.Contains(GoldenFile.Items, item => item.InputIds.Length == 256);
    }

    [Theory]
    [MemberData(nameof(GoldenIndexes))]
    public void Token_ids_match_the_reference_exactly(int index)
    {
        var item = GoldenFile.Items[index];
        var ids = fixture.Model.Tokenize(item.Text);
        Assert.Equal(item.InputIds, ids);
    }

    [Fact]
    public void Every_embedding_matches_the_reference_with_cosine_at_least_0_9999_in_one_padded_batch()
    {
        var items = GoldenFile.Items;
        var batch = items.Select(item => fixture.Model.Tokenize(item.Text)).ToArray();
        var output = new float[batch.Length * fixture.Model.Dimension];
        fixture.Model.Embed(batch, output);
        for (var i = 0; i < items.Count; i++)
        {
            var vector = output.AsSpan(i * fixture.Model.Dimension, fixture.Model.Dimension);
            var cosine = VectorMath.Dot(vector, items[i].Embedding) / MathF.Sqrt(VectorMath.Dot(items[i].Embedding, items[i].Embedding));
            Assert.True(cosine >= 0.9999f, $"'{items[i].Text}': cosine {cosine}");
            Assert.Equal(1f, VectorMath.Dot(vector, vector), 1e-4f);
        }
    }

    [Fact]
    public void Embedding_alone_equals_embedding_in_a_padded_batch()
    {
        var items = GoldenFile.Items;
        var shortIds = fixture.Model.Tokenize(items[0].Text);
        var longIds = fixture.Model.Tokenize(items.First(i => i.InputIds.Length == 256).Text);
        var alone = new float[fixture.Model.Dimension];
        fixture.Model.Embed(new[] { shortIds }, alone);
        var batched = new float[2 * fixture.Model.Dimension];
        fixture.Model.Embed(new[] { longIds, shortIds }, batched);
        var cosine = VectorMath.Dot(alone, batched.AsSpan(fixture.Model.Dimension));
        Assert.True(cosine >= 0.99999f, $"cosine {cosine}");
    }
}
