using System.Net;

namespace Opskit.Cluster.Tests.Http;

/// <summary>Issue #17: TEI's <c>POST /tokenize</c> (with offsets) and <c>POST /decode</c>.</summary>
[Collection(ClusterServiceCollection.Name)]
public sealed class TokenizeDecodeTests(ClusterServiceFixture service)
{
    private HttpClient Client => service.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The text between two character (code point) offsets.</summary>
    private static string Characters(string text, int start, int stop)
    {
        var runes = text.EnumerateRunes().ToArray();
        return string.Concat(runes[start..stop].Select(r => r.ToString()));
    }

    [Theory]
    [InlineData("Dog Walking: 10 Simple Steps")]
    [InlineData("Café crème, naïve résumé")]
    [InlineData("Emoji 🚀 and 東京 and [SEP] inside [CLS]word")]
    [InlineData("  leading\tand\ntrailing  ")]
    public async Task Tokenize_gives_the_embedding_ids_with_offsets_that_point_at_the_input(string text)
    {
        using var response = await Client.PostAsync("/tokenize", Json.Body(new { inputs = text }), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = Assert.Single((await Json.ReadAsync(response)).EnumerateArray().ToArray()).EnumerateArray().ToArray();
        Assert.Equal(MiniLmTokens.Of(text), tokens.Select(t => t.GetProperty("id").GetInt32()).ToArray());
        Assert.True(tokens[0].GetProperty("special").GetBoolean());
        Assert.Equal("[CLS]", tokens[0].GetProperty("text").GetString());
        Assert.Equal("[SEP]", tokens[^1].GetProperty("text").GetString());
        var characters = text.EnumerateRunes().Count();
        var previousStop = 0;
        foreach (var token in tokens[1..^1])
        {
            var start = token.GetProperty("start").GetInt32();
            var stop = token.GetProperty("stop").GetInt32();
            Assert.InRange(start, previousStop, characters);
            Assert.InRange(stop, start + 1, characters);
            var covered = Characters(text, start, stop);
            Assert.Equal(covered, token.GetProperty("text").GetString());
            var special = token.GetProperty("special").GetBoolean();
            if (special)
            {
                Assert.Equal(covered, covered.Trim());
                Assert.StartsWith("[", covered, StringComparison.Ordinal);
            }
            else
            {
                // No piece covers whitespace, and a piece is never longer than the text it came from (## aside).
                Assert.Equal(covered.Trim(), covered);
            }

            previousStop = stop;
        }
    }

    [Fact]
    public async Task Tokenize_takes_a_list_and_add_special_tokens_false()
    {
        using var response = await Client.PostAsync("/tokenize", Json.Body(new { inputs = new[] { "hello world", "ok" }, add_special_tokens = false }), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lists = (await Json.ReadAsync(response)).EnumerateArray().ToArray();
        Assert.Equal(2, lists.Length);
        var first = lists[0].EnumerateArray().ToArray();
        Assert.Equal(["hello", "world"], first.Select(t => t.GetProperty("text").GetString()));
        Assert.Equal([0, 6], first.Select(t => t.GetProperty("start").GetInt32()));
        Assert.Equal([5, 11], first.Select(t => t.GetProperty("stop").GetInt32()));
        Assert.All(first, t => Assert.False(t.GetProperty("special").GetBoolean()));
    }

    [Theory]
    [InlineData("the quick brown fox jumps over the lazy dog")]
    [InlineData("unaffable tokenization, isn't it? yes! 12 steps.")]
    [InlineData("supercalifragilisticexpialidocious")]
    public async Task Decode_of_tokenize_ids_round_trips_text_without_accents_or_case(string text)
    {
        using var tokenized = await Client.PostAsync("/tokenize", Json.Body(new { inputs = text }), Ct);
        var ids = (await Json.ReadAsync(tokenized))[0].EnumerateArray().Select(t => t.GetProperty("id").GetInt32()).ToArray();
        using var decoded = await Client.PostAsync("/decode", Json.Body(new { ids }), Ct);
        Assert.Equal(HttpStatusCode.OK, decoded.StatusCode);
        Assert.Equal(text, Assert.Single((await Json.ReadAsync(decoded)).EnumerateArray().ToArray()).GetString());

        using var withSpecials = await Client.PostAsync("/decode", Json.Body(new { ids = new[] { ids }, skip_special_tokens = false }), Ct);
        Assert.Equal($"[CLS] {text} [SEP]", (await Json.ReadAsync(withSpecials))[0].GetString());
    }

    [Theory]
    [InlineData("{\"ids\": [101, 30522]}", "ids[1]")]
    [InlineData("{\"ids\": [[101], [102, -1]]}", "ids[1][1]")]
    [InlineData("{\"ids\": \"101\"}", "ids")]
    [InlineData("{\"ids\": [101], \"skip_special_tokens\": 1}", "skip_special_tokens")]
    [InlineData("{\"inputs\": 7}", "inputs")]
    public async Task Bad_tokenize_or_decode_request_is_400_naming_the_field(string body, string field)
    {
        var path = body.Contains("ids", StringComparison.Ordinal) ? "/decode" : "/tokenize";
        using var response = await Client.PostAsync(path, Json.Raw(body), Ct);
        await Json.AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Both_are_in_the_openapi_document()
    {
        using var response = await Client.GetAsync("/openapi.json", Ct);
        var paths = (await Json.ReadAsync(response)).GetProperty("paths");
        Assert.True(paths.TryGetProperty("/tokenize", out _));
        Assert.True(paths.TryGetProperty("/decode", out _));
    }
}
