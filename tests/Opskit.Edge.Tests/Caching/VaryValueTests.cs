using Microsoft.Extensions.Primitives;
using Opskit.Edge.Caching;

namespace Opskit.Edge.Tests.Caching;

public sealed class VaryValueTests
{
    [Theory]
    [InlineData(new[] { "en" }, "en")]
    [InlineData(new[] { "en, fr" }, "en,fr")]
    [InlineData(new[] { " en ,\tfr " }, "en,fr")]
    [InlineData(new[] { "en", "fr" }, "en,fr")]
    [InlineData(new[] { "en ", " fr;q=0.5" }, "en,fr;q=0.5")]
    [InlineData(new[] { "a=\"x , y\", b" }, "a=\"x , y\",b")]
    [InlineData(new[] { "a=\"x\\\" , y\" ,b" }, "a=\"x\\\" , y\",b")]
    [InlineData(new[] { "EN-us" }, "EN-us")]
    [InlineData(new[] { "text/html; charset=utf-8" }, "text/html; charset=utf-8")]
    [InlineData(new string[0], "")]
    public void Whitespace_around_commas_and_line_splits_are_normalized_quoted_strings_are_not(string[] lines, string expected) =>
        Assert.Equal(expected, VaryValue.Normalize(new StringValues(lines)));

    [Fact]
    public void A_clean_single_line_is_returned_as_it_is()
    {
        var line = "gzip,deflate";
        Assert.Same(line, VaryValue.Normalize(line));
    }
}
