using System.Text.Json;

namespace Opskit.Cluster.Tests.Http;

[Collection(ClusterServiceCollection.Name)]
public sealed class OpenApiDocumentTests(ClusterServiceFixture service)
{
    [Fact]
    public async Task OpenApi_describes_the_embedding_options()
    {
        var text = await service.Client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        var schemas = JsonDocument.Parse(text).RootElement.GetProperty("components").GetProperty("schemas");
        var openAi = schemas.GetProperty("OpenAiEmbeddingRequest").GetProperty("properties");
        foreach (var field in new[] { "input", "model", "encoding_format", "dimensions" })
        {
            Assert.True(openAi.TryGetProperty(field, out _), text);
        }

        // input takes strings or token ids, so its schema must not pin it to an array of strings.
        Assert.False(openAi.GetProperty("input").TryGetProperty("items", out _), openAi.GetProperty("input").GetRawText());
        Assert.True(schemas.GetProperty("EmbedRequest").GetProperty("properties").TryGetProperty("normalize", out _));
    }
}
