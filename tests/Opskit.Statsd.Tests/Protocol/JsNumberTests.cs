using System.Text;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Tests.Protocol;

/// <summary>String(number) as JavaScript prints it (values checked with Node.js 20).</summary>
public sealed class JsNumberTests
{
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.0, "1")]
    [InlineData(-1.0, "-1")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(81.64965809277261, "81.64965809277261")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(123456789012345680000.0, "123456789012345680000")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(1.5e-7, "1.5e-7")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(0.00001, "0.00001")]
    [InlineData(1.2345e-5, "0.000012345")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(-2.5e-10, "-2.5e-10")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(123.456, "123.456")]
    [InlineData(4503599627370497.0, "4503599627370497")]
    public void Formats_like_JavaScript_String(double value, string expected) =>
        Assert.Equal(expected, JsNumber.ToJsString(value));

    [Fact]
    public void Negative_zero_prints_as_zero() => Assert.Equal("0", JsNumber.ToJsString(-0.0));

    [Theory]
    [InlineData("", 0.0)]
    [InlineData("  ", 0.0)]
    [InlineData(" 12 ", 12.0)]
    [InlineData("+1.5e2", 150.0)]
    [InlineData("0x1F", 31.0)]
    [InlineData("-Infinity", double.NegativeInfinity)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5.0)]
    public void Parses_like_JavaScript_Number(string text, double expected)
    {
        Assert.True(JsNumber.TryParse(Encoding.UTF8.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("0x")]
    [InlineData("-0x1")]
    [InlineData("1e")]
    [InlineData(".")]
    [InlineData("+")]
    [InlineData("infinity")]
    [InlineData("1,5")]
    public void Rejects_what_JavaScript_makes_NaN(string text) =>
        Assert.False(JsNumber.TryParse(Encoding.UTF8.GetBytes(text), out _));
}
