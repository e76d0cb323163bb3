using System.Net;
using System.Text;

namespace Opskit.Cluster.Tests.Http;

[Collection(ClusterServiceCollection.Name)]
public sealed class ErrorResponseTests(ClusterServiceFixture service)
{
    private HttpClient Client => service.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/cluster", "{\"sentences\": [\"a\", 7]}", "sentences[1]")]
    [InlineData("/cluster", "{\"sentences\": [\"a\", null]}", "sentences[1]")]
    [InlineData("/cluster", "{\"sentences\": \"not a list\"}", "sentences")]
    [InlineData("/cluster", "{\"algorithm\": \"kmeans\"}", "sentences")]
    [InlineData("/cluster", "{\"sentences\": [\"a\"], \"algorithm\": \"dbscan\"}", "algorithm")]
    [InlineData("/cluster", "{\"sentences\": [\"a\"], \"algorithm\": \"kmeans\"}", "k")]
    [InlineData("/cluster", "{\"sentences\": [\"a\"], \"threshold\": \"high\"}", "threshold")]
    [InlineData("/cluster", "{\"sentences\": [\"a\"], \"min_cluster_size\": 0}", "min_cluster_size")]
    [InlineData("/cluster", "{\"sentences\": [\"a\", ", "body")]
    [InlineData("/cluster", "[\"a\"]", "body")]
    [InlineData("/cluster", "", "body")]
    [InlineData("/embed", "{\"input\": [\"wrong field name\"]}", "inputs")]
    [InlineData("/embed", "{\"inputs\": [{\"text\": \"x\"}]}", "inputs[0]")]
    [InlineData("/embed", "{\"inputs\": \"x\", \"normalize\": \"no\"}", "normalize")]
    [InlineData("/v1/embeddings", "{\"input\": [\"x\"], \"encoding_format\": \"int8\"}", "encoding_format")]
    [InlineData("/v1/embeddings", "{\"input\": 7}", "input")]
    [InlineData("/v1/embeddings", "{\"input\": [{\"text\": \"x\"}]}", "input[0]")]
    [InlineData("/v1/embeddings", "{\"input\": [\"a\", 101]}", "input[1]")]
    [InlineData("/v1/embeddings", "{\"input\": [101, \"a\"]}", "input[1]")]
    [InlineData("/v1/embeddings", "{\"input\": [101, 30522]}", "input[1]")]
    [InlineData("/v1/embeddings", "{\"input\": [101, -1]}", "input[1]")]
    [InlineData("/v1/embeddings", "{\"input\": [101, 2.5]}", "input[1]")]
    [InlineData("/v1/embeddings", "{\"input\": [[101, 102], [101, 7592, 102, 1, 2, 99999]]}", "input[1][5]")]
    [InlineData("/v1/embeddings", "{\"input\": [[101, 102], \"a\"]}", "input[1]")]
    [InlineData("/v1/embeddings", "{\"input\": [[101, 102], []]}", "input[1]")]
    [InlineData("/v1/embeddings", "{\"input\": [[]]}", "input[0]")]
    [InlineData("/v1/embeddings", "{\"input\": [[\"101\"]]}", "input[0][0]")]
    [InlineData("/v1/embeddings", "{\"input\": \"x\", \"dimensions\": 0}", "dimensions")]
    [InlineData("/v1/embeddings", "{\"input\": \"x\", \"dimensions\": 385}", "dimensions")]
    [InlineData("/v1/embeddings", "{\"input\": \"x\", \"dimensions\": 64.5}", "dimensions")]
    [InlineData("/v1/embeddings", "{\"input\": \"x\", \"dimensions\": \"64\"}", "dimensions")]
    [InlineData("/similarity", "{\"inputs\": {\"sentences\": [\"x\"]}}", "inputs.source_sentence")]
    [InlineData("/similarity", "{\"inputs\": {\"source_sentence\": \"x\", \"sentences\": [true]}}", "inputs.sentences[0]")]
    public async Task Bad_request_is_400_problem_naming_the_field(string path, string body, string field)
    {
        using var response = await Client.PostAsync(path, Json.Raw(body), Ct);
        await Json.AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Body_over_2_MiB_is_413()
    {
        var big = "{\"sentences\": [\"" + new string('a', (2 * 1024 * 1024) + 10) + "\"]}";
        // As curl does for large bodies: the server refuses on Content-Length before the body is sent.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cluster") { Content = Json.Raw(big) };
        request.Headers.ExpectContinue = true;
        using var response = await Client.SendAsync(request, Ct);
        await Json.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
    }

    [Fact]
    public async Task Chunked_body_over_2_MiB_is_413_too()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"inputs\": [\"" + new string('b', (2 * 1024 * 1024) + 10) + "\"]}");
        using var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentType = Json.JsonType;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/embed") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await Client.SendAsync(request, Ct);
        await Json.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
    }

    [Fact]
    public async Task More_than_4096_sentences_is_413_naming_sentences()
    {
        var sentences = Enumerable.Repeat("x", 4097).ToArray();
        using var response = await Client.PostAsync("/cluster", Json.Body(new { sentences }), Ct);
        await Json.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "sentences");
    }

    [Fact]
    public async Task Over_long_sentence_is_truncated_not_refused()
    {
        var longText = string.Join(' ', Enumerable.Repeat("lorem ipsum dolor", 400));
        using var response = await Client.PostAsync("/cluster", Json.Body(new { sentences = new[] { longText, "short" } }), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Embed_with_truncate_false_refuses_over_long_input_with_413()
    {
        var longText = string.Join(' ', Enumerable.Repeat("lorem ipsum dolor", 400));
        using var response = await Client.PostAsync("/embed", Json.Body(new { inputs = new[] { "fine", longText }, truncate = false }), Ct);
        await Json.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "inputs[1]");
    }
}
