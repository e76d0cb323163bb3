using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Opskit.Cluster.Http;

namespace Opskit.Cluster.Tests.Http;

/// <summary>The <c>input</c> forms of /v1/embeddings, parsed with a 10-id vocabulary and a 4-token limit.</summary>
public sealed class OpenAiInputTests
{
    private const int Vocabulary = 10;
    private const int MaxTokens = 4;

    [Theory]
    [InlineData("\"one text\"", "one text")]
    [InlineData("[\"a\", \"b\", \"\"]", "a|b|")]
    [InlineData("[]", "")]
    public void Text_forms_give_texts(string input, string expected)
    {
        var (texts, tokens) = Parse(input, out var error);
        Assert.Null(error);
        Assert.Null(tokens);
        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), texts);
    }

    [Theory]
    [InlineData("[1, 2, 3]", "1,2,3")]
    [InlineData("[0, 9]", "0,9")]
    [InlineData("[[1], [2, 3]]", "1|2,3")]
    [InlineData("[1, 2, 3, 4, 5, 6]", "1,2,3,4")]
    [InlineData("[[5, 6, 7, 8, 9], [1]]", "5,6,7,8|1")]
    public void Token_forms_give_id_arrays_cut_to_max_tokens(string input, string expected)
    {
        var (texts, tokens) = Parse(input, out var error);
        Assert.Null(error);
        Assert.Null(texts);
        Assert.Equal(expected, string.Join('|', tokens!.Select(ids => string.Join(',', ids))));
    }

    [Theory]
    [InlineData("null", "input")]
    [InlineData("true", "input")]
    [InlineData("{\"a\": 1}", "input")]
    [InlineData("[null]", "input[0]")]
    [InlineData("[true, 1]", "input[0]")]
    [InlineData("[1, 10]", "input[1]")]
    [InlineData("[-1]", "input[0]")]
    [InlineData("[1, 2.5]", "input[1]")]
    [InlineData("[1, 4294967296]", "input[1]")]
    [InlineData("[1, [2]]", "input[1]")]
    [InlineData("[\"a\", [2]]", "input[1]")]
    [InlineData("[[1], 2]", "input[1]")]
    [InlineData("[[1], []]", "input[1]")]
    [InlineData("[[1, 2, 3, 4, 5, 99]]", "input[0][5]")]
    [InlineData("[[1], [2, \"3\"]]", "input[1][1]")]
    public void Bad_input_is_400_naming_the_item(string input, string field)
    {
        var (texts, tokens) = Parse(input, out var error);
        Assert.Null(texts);
        Assert.Null(tokens);
        var problem = Assert.IsType<ProblemHttpResult>(error);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        Assert.Equal(field, problem.ProblemDetails.Extensions["field"]);
        Assert.Contains($"'{field}'", problem.ProblemDetails.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[\"a\", \"b\", \"c\"]")]
    [InlineData("[[1], [2], [3]]")]
    public void More_inputs_than_the_limit_is_413(string input)
    {
        using var document = JsonDocument.Parse($"{{\"input\": {input}}}");
        OpenAiInput.Parse(document.RootElement, maxItems: 2, Vocabulary, MaxTokens, out var error);
        var problem = Assert.IsType<ProblemHttpResult>(error);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, problem.StatusCode);
    }

    [Fact]
    public void Missing_input_is_400()
    {
        using var document = JsonDocument.Parse("{\"inputs\": \"x\"}");
        OpenAiInput.Parse(document.RootElement, 10, Vocabulary, MaxTokens, out var error);
        Assert.Equal("input", Assert.IsType<ProblemHttpResult>(error).ProblemDetails.Extensions["field"]);
    }

    private static (List<string>? Texts, int[][]? Tokens) Parse(string input, out IResult? error)
    {
        using var document = JsonDocument.Parse($"{{\"input\": {input}}}");
        return OpenAiInput.Parse(document.RootElement, 100, Vocabulary, MaxTokens, out error);
    }
}
