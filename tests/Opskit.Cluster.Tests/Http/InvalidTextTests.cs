using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Opskit.Cluster.Tests.Http;

/// <summary>Issue #21 point 6: text that is not text (invalid UTF-8, lone surrogates) is the client's error, on every endpoint.</summary>
[Collection(ClusterServiceCollection.Name)]
public sealed class InvalidTextTests(ClusterServiceFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>JSON text in which <c>«XX»</c> stands for the raw byte 0xXX (not valid UTF-8 on its own).</summary>
    private static ByteArrayContent Bytes(string template)
    {
        var output = new List<byte>();
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '«')
            {
                output.Add(Convert.ToByte(template.Substring(i + 1, 2), 16));
                i += 3;
                continue;
            }

            output.AddRange(Encoding.UTF8.GetBytes(template[i].ToString()));
        }

        var content = new ByteArrayContent([.. output]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    [Theory]
    [InlineData("/embed", "{\"inputs\":\"«ff»\"}", "inputs")]
    [InlineData("/embed", "{\"inputs\":[\"fine\", \"caf«c3»\"]}", "inputs[1]")]
    [InlineData("/embed", "{\"inputs\":\"\\ud800x\"}", "inputs")]
    [InlineData("/cluster", "{\"sentences\":[\"\\ud800x\"]}", "sentences[0]")]
    [InlineData("/cluster", "{\"sentences\":[\"a\", \"\\udc00\"]}", "sentences[1]")]
    [InlineData("/cluster", "{\"sentences\":[\"a\"], \"algorithm\":\"«fe»\"}", "algorithm")]
    [InlineData("/v1/embeddings", "{\"input\":\"«80»\"}", "input")]
    [InlineData("/v1/embeddings", "{\"input\":[\"ok\", \"\\udbff\"]}", "input[1]")]
    [InlineData("/v1/embeddings", "{\"input\":\"ok\", \"model\":\"\\ud800\"}", "model")]
    [InlineData("/similarity", "{\"source_sentence\":\"«ff»\", \"sentences\":[\"a\"]}", "source_sentence")]
    [InlineData("/similarity", "{\"inputs\":{\"source_sentence\":\"a\", \"sentences\":[\"\\ud800\"]}}", "inputs.sentences[0]")]
    public async Task Invalid_utf8_or_lone_surrogate_is_400_naming_the_field(string path, string body, string field)
    {
        using var response = await service.Client.PostAsync(path, Bytes(body), Ct);
        var problem = await Json.AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Contains("not valid text", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(service.Logs.Lines, line => line.Exception is not null || line.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_valid_surrogate_pair_is_text()
    {
        using var response = await service.Client.PostAsync("/embed", Bytes("{\"inputs\":\"smile \\ud83d\\ude00\"}"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
