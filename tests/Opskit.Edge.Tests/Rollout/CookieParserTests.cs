using Microsoft.Extensions.Primitives;
using Opskit.Edge.Rollout;

namespace Opskit.Edge.Tests.Rollout;

public sealed class CookieParserTests
{
    [Theory]
    [InlineData("userId=42", CookieLookup.Found, "42")]
    [InlineData("a=1; userId=42; b=2", CookieLookup.Found, "42")]
    [InlineData("a=1;userId=42", CookieLookup.Found, "42")]
    [InlineData("  userId  =  42  ", CookieLookup.Found, "42")]
    [InlineData("a=1;\tuserId=42\t", CookieLookup.Found, "42")]
    [InlineData("userId=\"quoted-7\"", CookieLookup.Found, "quoted-7")]
    [InlineData("userId=\"", CookieLookup.Found, "\"")]
    [InlineData("userId=1; userId=2", CookieLookup.Found, "1")]
    [InlineData("userid=1; userId=2", CookieLookup.Found, "2")]
    [InlineData("xuserId=1; userIdx=2", CookieLookup.Absent, "")]
    [InlineData("", CookieLookup.Absent, "")]
    [InlineData(";;;", CookieLookup.Absent, "")]
    [InlineData("userId", CookieLookup.Absent, "")]
    [InlineData("=userId", CookieLookup.Absent, "")]
    [InlineData("userId=", CookieLookup.Unusable, "")]
    [InlineData("userId=\"\"", CookieLookup.Unusable, "")]
    [InlineData("userId=; userId=5", CookieLookup.Unusable, "")]
    [InlineData("userId=a=b", CookieLookup.Found, "a=b")]
    [InlineData("userId=x' OR '1'='1", CookieLookup.Found, "x' OR '1'='1")]
    [InlineData("userId=x'; DROP TABLE user_profiles;--", CookieLookup.Found, "x'")]
    public void Finds_the_first_cookie_of_the_name(string header, CookieLookup expected, string expectedValue)
    {
        var result = CookieParser.TryFind(header, "userId", CookieParser.DefaultMaxValueLength, out var value);

        Assert.Equal(expected, result);
        Assert.Equal(expectedValue, value.ToString());
    }

    [Fact]
    public void Value_longer_than_the_limit_is_ignored()
    {
        var atLimit = new string('a', 128);
        var overLimit = new string('a', 129);

        Assert.Equal(CookieLookup.Found, CookieParser.TryFind($"userId={atLimit}", "userId", 128, out _));
        Assert.Equal(CookieLookup.Unusable, CookieParser.TryFind($"userId={overLimit}", "userId", 128, out _));
        Assert.Equal(CookieLookup.Unusable, CookieParser.TryFind($"userId={overLimit}; userId=short", "userId", 128, out _));
    }

    [Fact]
    public void Cookie_is_found_in_any_of_several_headers_and_the_first_header_wins()
    {
        var headers = new StringValues(["a=1; b=2", "c=3; userId=second-header", "userId=third-header"]);

        var result = CookieParser.TryFind(headers, "userId", 128, out var value);

        Assert.Equal(CookieLookup.Found, result);
        Assert.Equal("second-header", value.ToString());
    }

    [Fact]
    public void No_cookie_headers_is_absent()
    {
        Assert.Equal(CookieLookup.Absent, CookieParser.TryFind(StringValues.Empty, "userId", 128, out _));
    }

    [Fact]
    public void Random_headers_never_throw_and_a_found_value_is_a_trimmed_slice_within_the_limit()
    {
        var random = new Random(1234);
        const string alphabet = "ab=; \t\"uI=userId";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var header = new string(chars);
            var result = CookieParser.TryFind(header, "userId", 8, out var value);
            if (result == CookieLookup.Found)
            {
                Assert.InRange(value.Length, 1, 8);
                Assert.Contains(value.ToString(), header, StringComparison.Ordinal);
            }
        }
    }
}
