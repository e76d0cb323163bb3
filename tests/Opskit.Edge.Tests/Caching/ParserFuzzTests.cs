using CsCheck;
using Opskit.Edge.Caching;
using Opskit.Edge.Rollout;

namespace Opskit.Edge.Tests.Caching;

/// <summary>
/// Issue #21: a bounded fuzz of the parsers that read client and origin input on every request (cookie lookup,
/// Cache-Control and Age): random input never throws, results stay within the input and their documented ranges.
/// </summary>
public sealed class ParserFuzzTests
{
    private const long Iterations = 20_000;

    private static readonly Gen<string> Header = Gen.OneOf(
        Gen.Char["abcdeuserIdmax-ageno-cachestoreprivate=;,\"\\ \t0123456789-'.\u00e9\u0000\uffff"].Array[0, 120].Select(c => new string(c)),
        Gen.String[0, 200],
        Gen.Select(
            Gen.OneOf(Gen.Const("max-age"), Gen.Const("s-maxage"), Gen.Const("no-cache"), Gen.Const("private"), Gen.Const("userId"), Gen.Const("stale-if-error")),
            Gen.OneOf(Gen.Const("="), Gen.Const("=\""), Gen.Const(""), Gen.Const(" = ")),
            Gen.String[0, 12],
            Gen.OneOf(Gen.Const(","), Gen.Const(";"), Gen.Const("\""), Gen.Const("")))
            .Select((n, e, v, s) => n + e + v + s).Array[1, 8].Select(parts => string.Concat(parts)));

    [Fact]
    public void Cookie_parser_never_throws_and_returns_a_slice_within_the_limit()
    {
        Header.Sample(header =>
        {
            var result = CookieParser.TryFind(header, "userId", 16, out var value);
            if (result == CookieLookup.Found)
            {
                Assert.InRange(value.Length, 1, 16);
                Assert.Contains(value.ToString(), header, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(value.IsEmpty);
            }
        }, iter: Iterations, time: 20);
    }

    [Fact]
    public void Cache_control_parser_never_throws_and_gives_delta_seconds_within_range()
    {
        Header.Sample(header =>
        {
            var directives = CacheDirectives.Parse(header);
            foreach (var value in new[] { directives.MaxAge, directives.SMaxAge, directives.StaleIfError, directives.StaleWhileRevalidate })
            {
                Assert.True(value is null or >= 0 and <= 2147483648, $"{value} from {header}");
            }

            Assert.Equal(directives.MaxAge, CacheDirectives.Parse(header).MaxAge);
            Assert.InRange(CachePolicy.ParseAge(header), 0, 2147483648);
        }, iter: Iterations, time: 20);
    }

    [Theory]
    [InlineData("max-age=60", 60L, false)]
    [InlineData("MAX-AGE=60", 60L, false)]
    [InlineData("max-age=\"60\"", 60L, false)]
    [InlineData("max-age='60'", null, true)]
    [InlineData("max-age=-1", null, true)]
    [InlineData("max-age=6.5", null, true)]
    [InlineData("max-age=", null, true)]
    [InlineData("max-age=60, max-age=61", 61L, true)]
    [InlineData("max-age=99999999999999", 2147483648L, false)]
    [InlineData("no-cache=\"Set-Cookie, X-A\", max-age=5", 5L, false)]
    public void Max_age_parsing_follows_RFC_9111(string header, long? maxAge, bool invalid)
    {
        var directives = CacheDirectives.Parse(header);
        Assert.Equal(maxAge, directives.MaxAge);
        Assert.Equal(invalid, directives.InvalidFreshness);
    }

    [Fact]
    public void No_cache_with_field_names_omits_those_fields_and_is_not_no_cache()
    {
        var directives = CacheDirectives.Parse("no-cache=\"Set-Cookie, X-A\", private=\"X-B\"");
        Assert.False(directives.NoCache);
        Assert.False(directives.Private);
        Assert.Equal(["Set-Cookie", "X-A", "X-B"], directives.OmittedFields!);
    }

    [Theory]
    [InlineData("7200", 7200L)]
    [InlineData("-7200", 0L)]
    [InlineData("7200.0", 0L)]
    [InlineData("7200a", 0L)]
    [InlineData("  7200 ", 7200L)]
    [InlineData("7200, 0", 7200L)]
    [InlineData("99999999999999999999", 2147483648L)]
    public void Age_parsing_ignores_invalid_values(string header, long seconds) => Assert.Equal(seconds, CachePolicy.ParseAge(header));

    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")]
    [InlineData("Sun Nov  6 08:49:37 1994")]
    public void All_three_HTTP_date_formats_are_accepted(string date) =>
        Assert.Equal(new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero), CachePolicy.ParseHttpDate(date));

    [Theory]
    [InlineData("Thursday, 18-Aug-50 02:01:18 GMT", "2050-08-18T02:01:18Z")]
    [InlineData("Thu Aug  8 02:01:18 2050", "2050-08-08T02:01:18Z")]
    [InlineData("Thu, 18 Aug 2050 02:01:18 gmt", "2050-08-18T02:01:18Z")]
    [InlineData("Thu, 18  Aug  2050 02:01:18 GMT", null)]
    [InlineData("Thu, 18-Aug-2050 02:01:18 GMT", null)]
    [InlineData("0", null)]
    public void Obsolete_dates_parse_with_RFC_9110_year_and_weekday_rules(string date, string? expected) =>
        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), CachePolicy.ParseHttpDate(date));

    [Theory]
    [InlineData("max-age=10000, &&&&&", true)]
    [InlineData("max-age=\"10000\"", true)]
    [InlineData("max-age=10000, no-store", false)]
    public void A_targeted_field_must_be_a_structured_dictionary(string field, bool invalid) =>
        Assert.Equal(invalid, CacheDirectives.Parse(field).NotStructured);
}
