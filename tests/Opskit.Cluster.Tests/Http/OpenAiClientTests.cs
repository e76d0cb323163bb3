using System.Globalization;
using System.Net;
using System.Text.Json;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Http;

/// <summary>
/// The official OpenAI Node library (npm <c>openai</c>) against the running service: default options
/// (base64 on the wire), float, <c>dimensions</c> and token-id input, compared with <c>/embed</c>.
/// </summary>
[Collection(ClusterServiceCollection.Name)]
public sealed class OpenAiClientTests(ClusterServiceFixture service)
{
    private static readonly string[] Texts = ["How do I reset my password?", "Disk usage alert on the database host"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenAI_node_library_gets_the_same_vectors_as_embed()
    {
        var node = ExternalProgram.Require("node", "apt: nodejs");
        if (!Directory.Exists(Path.Combine(RepoPaths.NodeModules, "openai")))
        {
            ExternalProgram.Require("openai", "npm: openai (tests/npm-packages.txt)", RepoPaths.NodeModules);
        }

        using var embed = await service.Client.PostAsync("/embed", Json.Body(new { inputs = Texts }), Ct);
        Assert.Equal(HttpStatusCode.OK, embed.StatusCode);
        var expected = Json.Vectors(await Json.ReadAsync(embed));
        var tokens = Texts.Select(MiniLmTokens.Of).ToArray();

        var script = Path.Combine(AppContext.BaseDirectory, "Http", "openai-client.js");
        var baseUrl = new Uri(service.BaseAddress, "/v1").ToString();
        var output = await ProgramRun.CheckedAsync(node, [script, baseUrl, JsonSerializer.Serialize(new { texts = Texts, tokens })], TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["NODE_PATH"] = RepoPaths.NodeModules });
        var line = output.Split('\n').SingleOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        Assert.True(line is not null, output);
        using var document = JsonDocument.Parse(line["RESULT ".Length..]);
        var results = document.RootElement;

        var byDefault = OpenAiResult.Parse(results.GetProperty("default"));
        Assert.Equal("text-embedding-3-small", byDefault.Model);
        Assert.Equal(tokens.Sum(t => t.Length), byDefault.PromptTokens);
        Assert.Equal(byDefault.PromptTokens, byDefault.TotalTokens);
        Assert.Equal(Texts.Length, byDefault.Vectors.Length);
        for (var i = 0; i < Texts.Length; i++)
        {
            VectorAssert.Same(expected[i], byDefault.Vectors[i], $"default (base64) {i}");
        }

        var asFloat = OpenAiResult.Parse(results.GetProperty("float"));
        VectorAssert.Same(expected[0], Assert.Single(asFloat.Vectors), "float");
        Assert.Equal(tokens[0].Length, asFloat.PromptTokens);

        var shortened = OpenAiResult.Parse(results.GetProperty("dimensions"));
        Assert.Equal(Texts.Length, shortened.Vectors.Length);
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(64, shortened.Vectors[i].Length);
            Assert.Equal(1f, VectorAssert.Norm(shortened.Vectors[i]), 1e-4f);
            VectorAssert.Same(VectorAssert.Shortened(expected[i], 64), shortened.Vectors[i], $"dimensions 64, {i}");
        }

        var byTokens = OpenAiResult.Parse(results.GetProperty("tokens"));
        VectorAssert.Same(expected[0], Assert.Single(byTokens.Vectors), "one token array");
        Assert.Equal(tokens[0].Length, byTokens.PromptTokens);

        var byTokenArrays = OpenAiResult.Parse(results.GetProperty("tokenArrays"));
        Assert.Equal(Texts.Length, byTokenArrays.Vectors.Length);
        for (var i = 0; i < Texts.Length; i++)
        {
            VectorAssert.Same(expected[i], byTokenArrays.Vectors[i], string.Create(CultureInfo.InvariantCulture, $"token arrays {i}"));
        }

        Assert.Equal(byDefault.PromptTokens, byTokenArrays.PromptTokens);
    }
}
