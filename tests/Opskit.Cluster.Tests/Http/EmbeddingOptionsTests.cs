using System.Net;
using System.Text.Json;
using Opskit.Cluster.Tests.Embeddings;

namespace Opskit.Cluster.Tests.Http;

/// <summary>
/// The embedding options beyond plain text in, unit vectors out: <c>/embed</c> with <c>normalize: false</c>,
/// pre-tokenized <c>input</c> and <c>dimensions</c> on <c>/v1/embeddings</c>.
/// </summary>
[Collection(ClusterServiceCollection.Name)]
public sealed class EmbeddingOptionsTests(ClusterServiceFixture service)
{
    private static readonly string[] Texts = ["The cat sat on the mat.", "Kubernetes readiness probes gate traffic to a pod."];

    private HttpClient Client => service.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Embed_normalize_false_returns_the_raw_mean_pooled_vector()
    {
        var raw = await EmbedAsync(new { inputs = Texts, normalize = false });
        var unit = await EmbedAsync(new { inputs = Texts, normalize = true });
        var plain = await EmbedAsync(new { inputs = Texts });
        Assert.Equal(Texts.Length, raw.Length);
        for (var i = 0; i < Texts.Length; i++)
        {
            var norm = VectorAssert.Norm(raw[i]);
            Assert.True(MathF.Abs(norm - 1f) > 0.05f, $"{Texts[i]}: the raw vector has norm {norm}, so it was normalized");
            Assert.Equal(1f, VectorAssert.Norm(unit[i]), 1e-4f);
            Assert.Equal(unit[i], plain[i]);
            var scaled = raw[i].Select(x => x / norm).ToArray();
            var cosine = VectorAssert.Cosine(scaled, unit[i]);
            Assert.True(cosine >= 0.9999f, $"{Texts[i]}: cosine {cosine}");
        }
    }

    [Fact]
    public async Task Embed_normalize_false_norm_is_the_models_pooled_norm()
    {
        // The model computed apart from the service, on the same tokens: its pre-normalization norm is the raw vector's length.
        using var fixture = new ModelFixture();
        var model = fixture.Model;
        var tokens = Texts.Select(t => model.Tokenize(t)).ToArray();
        var output = new float[Texts.Length * model.Dimension];
        var norms = new float[Texts.Length];
        model.Embed(tokens, output, norms);
        var raw = await EmbedAsync(new { inputs = Texts, normalize = false });
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(norms[i], VectorAssert.Norm(raw[i]), norms[i] * 1e-4f);
        }
    }

    [Fact]
    public async Task Token_id_inputs_embed_like_their_texts_and_count_their_tokens()
    {
        var ids = Texts.Select(MiniLmTokens.Of).ToArray();
        var byText = (await EmbedAsync(new { inputs = Texts })).ToArray();

        var single = await OpenAiAsync(new { input = ids[0] });
        VectorAssert.Same(byText[0], Assert.Single(single.Vectors), "one token array");
        Assert.Equal(ids[0].Length, single.PromptTokens);

        var nested = await OpenAiAsync(new { input = ids });
        Assert.Equal(Texts.Length, nested.Vectors.Length);
        for (var i = 0; i < Texts.Length; i++)
        {
            VectorAssert.Same(byText[i], nested.Vectors[i], $"token array {i}");
        }

        Assert.Equal(ids.Sum(a => a.Length), nested.PromptTokens);
        Assert.Equal(nested.PromptTokens, nested.TotalTokens);

        var byOpenAiText = await OpenAiAsync(new { input = Texts });
        Assert.Equal(nested.PromptTokens, byOpenAiText.PromptTokens);
    }

    [Fact]
    public async Task Token_ids_are_used_as_given_without_added_specials()
    {
        var withSpecials = MiniLmTokens.Of("hello world");
        var bare = withSpecials[1..^1];
        var given = await OpenAiAsync(new { input = bare });
        var wrapped = await OpenAiAsync(new { input = withSpecials });
        Assert.Equal(bare.Length, given.PromptTokens);
        Assert.True(VectorAssert.Cosine(given.Vectors[0], wrapped.Vectors[0]) < 0.9999f, "ids without [CLS]/[SEP] must not get them added");
    }

    [Fact]
    public async Task Over_long_token_array_is_truncated_to_max_tokens_not_refused()
    {
        var words = MiniLmTokens.Of(string.Join(' ', Enumerable.Repeat("lorem ipsum dolor sit amet", 80)));
        Assert.Equal(256, words.Length);
        // 300 ids: the 256 of a long text, then 44 more; only the first 256 reach the model.
        var ids = words.Concat(Enumerable.Repeat(7592, 44)).ToArray();
        var truncated = await OpenAiAsync(new { input = new[] { ids, MiniLmTokens.Of("short") } });
        var first256 = await OpenAiAsync(new { input = ids[..256] });
        Assert.Equal(256 + MiniLmTokens.Of("short").Length, truncated.PromptTokens);
        VectorAssert.Same(first256.Vectors[0], truncated.Vectors[0], "truncated to the first 256 ids");
    }

    [Theory]
    [InlineData("float")]
    [InlineData("base64")]
    public async Task Dimensions_returns_the_first_components_renormalized(string format)
    {
        var full = await OpenAiAsync(new { input = Texts, encoding_format = "float" });
        foreach (var dimensions in new[] { 1, 64, 383, 384 })
        {
            var shortened = await OpenAiAsync(new { input = Texts, encoding_format = format, dimensions });
            for (var i = 0; i < Texts.Length; i++)
            {
                var vector = shortened.Vectors[i];
                Assert.Equal(dimensions, vector.Length);
                Assert.Equal(1f, VectorAssert.Norm(vector), 1e-4f);
                var expected = VectorAssert.Shortened(full.Vectors[i], dimensions);
                for (var d = 0; d < dimensions; d++)
                {
                    Assert.Equal(expected[d], vector[d], 1e-5f);
                }
            }
        }
    }

    [Fact]
    public async Task Dimensions_and_base64_work_with_token_input()
    {
        var ids = MiniLmTokens.Of(Texts[1]);
        var full = await OpenAiAsync(new { input = Texts[1] });
        var shortened = await OpenAiAsync(new { input = new[] { ids }, dimensions = 128, encoding_format = "base64" });
        VectorAssert.Same(VectorAssert.Shortened(full.Vectors[0], 128), shortened.Vectors[0], "base64, 128 dimensions, token input");
        Assert.Equal(ids.Length, shortened.PromptTokens);
    }

    [Fact]
    public async Task Token_id_at_the_vocabulary_end_is_accepted()
    {
        var last = MiniLmTokens.VocabularySize - 1;
        var result = await OpenAiAsync(new { input = new[] { 101, 0, last, 102 } });
        Assert.Equal(4, result.PromptTokens);
        Assert.Equal(384, result.Vectors[0].Length);
    }

    private async Task<float[][]> EmbedAsync(object body)
    {
        using var response = await Client.PostAsync("/embed", Json.Body(body), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Json.Vectors(await Json.ReadAsync(response));
    }

    private async Task<OpenAiResult> OpenAiAsync(object body)
    {
        using var response = await Client.PostAsync("/v1/embeddings", Json.Body(body), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return OpenAiResult.Parse(await Json.ReadAsync(response));
    }
}

/// <summary>An OpenAI embeddings response with its vectors decoded (float arrays or base64) and shape checked.</summary>
internal sealed record OpenAiResult(float[][] Vectors, string Model, int PromptTokens, int TotalTokens)
{
    public static OpenAiResult Parse(JsonElement body)
    {
        Assert.Equal("list", body.GetProperty("object").GetString());
        var data = body.GetProperty("data").EnumerateArray().ToArray();
        var vectors = new float[data.Length][];
        for (var i = 0; i < data.Length; i++)
        {
            Assert.Equal("embedding", data[i].GetProperty("object").GetString());
            Assert.Equal(i, data[i].GetProperty("index").GetInt32());
            var embedding = data[i].GetProperty("embedding");
            vectors[i] = embedding.ValueKind == JsonValueKind.String
                ? VectorAssert.FromBase64(embedding.GetString()!)
                : [.. embedding.EnumerateArray().Select(x => x.GetSingle())];
        }

        var usage = body.GetProperty("usage");
        return new OpenAiResult(vectors, body.GetProperty("model").GetString()!, usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
    }
}
