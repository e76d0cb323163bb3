using System.Net;
using System.Text;

namespace Opskit.Cluster.Tests.Http;

/// <summary>Issue #20: what a newcomer coming from TEI, OpenAI or FastAPI trips on.</summary>
[Collection(ClusterServiceCollection.Name)]
public sealed class FirstHourTests(ClusterServiceFixture service)
{
    private HttpClient Client => service.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Post_without_a_content_type_is_415_with_a_detail()
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"inputs\":\"x\"}"));
        using var response = await Client.PostAsync("/embed", content, Ct);
        var problem = await Json.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, null);
        Assert.Contains("Content-Type: application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_with_a_text_content_type_is_415_naming_it()
    {
        using var content = new StringContent("{\"inputs\":\"x\"}", Encoding.UTF8, "text/plain");
        using var response = await Client.PostAsync("/cluster", content, Ct);
        var problem = await Json.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, null);
        Assert.Contains("text/plain", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"sentences\": [\"a\", ", "line 1, byte 21")]
    [InlineData("{\n  \"sentences\": [\"a\",\n  }", "line 3, byte 3")]
    [InlineData("{\"inputs\": tru}", "line 1, byte 15")]
    public async Task Json_errors_give_one_based_positions_in_our_words(string body, string position)
    {
        using var response = await Client.PostAsync("/embed", Json.Raw(body), Ct);
        var problem = await Json.AssertProblemAsync(response, HttpStatusCode.BadRequest, "body");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(position, detail, StringComparison.Ordinal);
        Assert.StartsWith("the body is not valid JSON at ", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Community_echoes_the_min_cluster_size_it_used()
    {
        string[] sentences = ["The cat sits outside", "The cat plays in the garden", "A cat sleeps on the sofa", "Stock markets fell today", "Shares dropped sharply", "I love pasta"];
        using var response = await Client.PostAsync("/cluster", Json.Body(new { sentences, algorithm = "community" }), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await Json.ReadAsync(response);
        // The default 10 is capped at the 6 sentences given; 6 is what decided which groups were kept.
        Assert.Equal(6, result.GetProperty("min_cluster_size").GetInt32());
        Assert.Equal("community", result.GetProperty("algorithm").GetString());
        Assert.Equal(0.75, result.GetProperty("threshold").GetDouble(), 1e-6);
        foreach (var cluster in result.GetProperty("clusters").EnumerateArray())
        {
            Assert.True(cluster.GetProperty("size").GetInt32() >= 6);
        }

        using var given = await Client.PostAsync("/cluster", Json.Body(new { sentences, algorithm = "community", min_cluster_size = 2 }), Ct);
        Assert.Equal(2, (await Json.ReadAsync(given)).GetProperty("min_cluster_size").GetInt32());
    }

    [Fact]
    public async Task V1_models_lists_the_loaded_model_in_openai_shape()
    {
        using var response = await Client.GetAsync("/v1/models", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = await Json.ReadAsync(response);
        Assert.Equal("list", list.GetProperty("object").GetString());
        var model = Assert.Single(list.GetProperty("data").EnumerateArray().ToArray());
        Assert.Equal("sentence-transformers/all-MiniLM-L6-v2", model.GetProperty("id").GetString());
        Assert.Equal("model", model.GetProperty("object").GetString());
        Assert.True(model.GetProperty("created").GetInt64() > 1_600_000_000);
        Assert.False(string.IsNullOrEmpty(model.GetProperty("owned_by").GetString()));

        // The id is the one /v1/embeddings reports, so a client can pass it back as 'model'.
        using var embedded = await Client.PostAsync("/v1/embeddings", Json.Body(new { input = "x" }), Ct);
        Assert.Equal(model.GetProperty("id").GetString(), (await Json.ReadAsync(embedded)).GetProperty("model").GetString());
    }

    [Fact]
    public async Task Openapi_json_is_served_where_fastapi_serves_it()
    {
        using var response = await Client.GetAsync("/openapi.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await Json.ReadAsync(response);
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/embed", "/cluster", "/v1/embeddings", "/similarity", "/v1/models" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"/openapi.json lacks {path}");
        }

        using var versioned = await Client.GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(HttpStatusCode.OK, versioned.StatusCode);
    }

    [Fact]
    public async Task Unknown_path_is_404_problem_pointing_at_the_api_list()
    {
        using var response = await Client.GetAsync("/v2/nothing", Ct);
        var problem = await Json.AssertProblemAsync(response, HttpStatusCode.NotFound, null);
        Assert.Contains("/openapi.json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
