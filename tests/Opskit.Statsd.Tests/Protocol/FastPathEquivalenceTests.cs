using System.Globalization;
using System.Text;
using CsCheck;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Tests.Protocol;

/// <summary>
/// The parser's single-pass fast path (common lines) must call the sink exactly as the general path does, to the
/// bit of every double (-0 included), for every input: lines it takes, lines it hands back, and near misses.
/// </summary>
public sealed class FastPathEquivalenceTests
{
    private static readonly string[] Keys =
    [
        "a", "app.requests.17", "k_-.;=Z9", "_e", "_sc", "", "a b", "a/b", "\u00e9t\u00e9", "x#y", "a\tb", "_e{1,2}",
    ];

    private static readonly string[] Values =
    [
        "1", "-1", "0", "-0", "1.5", "-2.25", "007", "5.", ".5", "+1", "1e3", "0x10", "123456789012345",
        "1234567890123456", "-123456789012345", "0.1", "0.0000001", "1.2.3", " 1", "1 ", "", "user5", "Infinity",
        "-", "9007199254740993", "12.345678901234", "999999999999999.9", "-0.0", "1:2", "\u00a01", "a|b",
    ];

    private static readonly string[] Types = ["c", "ms", "g", "s", "h", "d", "m", "x", "C", "c ", "", "ms2", "sx", "c\r", "mss"];

    private static readonly string[] Suffixes =
    [
        "", "", "", "|@0.1", "|@1", "|@0", "|@", "|@.5", "|@5.", "|@-1", "|@0.1|#t:1", "|#a:b,c:d", "|c:abc", "|T123",
        "|@1e1", "|@0.5x", "|@0.25|c:xyz", "|@00.5", "|@1234567890123456", "|", "||", "|@0.1\r", ":2|c",
    ];

    private static readonly Gen<string> CommonishLine =
        Gen.Select(Gen.Int[0, Keys.Length - 1], Gen.Int[0, Values.Length - 1], Gen.Int[0, Types.Length - 1], Gen.Int[0, Suffixes.Length - 1])
            .Select((k, v, t, s) => $"{Keys[k]}:{Values[v]}|{Types[t]}{Suffixes[s]}");

    // Plain decimals of every length around the fast path's 15-digit limit.
    private static readonly Gen<string> DecimalLine =
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Int[0, 19], Gen.Int[0, 4], Gen.Bool)
            .Select((n, cut, type, negative) =>
            {
                var digits = n.ToString(CultureInfo.InvariantCulture);
                var dot = Math.Min(cut, digits.Length - 1);
                var number = dot == 0 ? digits : digits[..dot] + "." + digits[dot..];
                return $"k{type}:{(negative ? "-" : "")}{number}|{Types[type]}";
            });

    private static readonly Gen<byte[]> Packets =
        Gen.OneOf(CommonishLine, DecimalLine).Array[1, 12].Select(Gen.Int[0, 3], (lines, joiner) =>
            Encoding.UTF8.GetBytes(string.Join(joiner switch { 0 => "\n", 1 => "\n\n", 2 => "\n", _ => "\r\n" }, lines)
                + (joiner == 2 ? "\n" : "")));

    [Fact]
    public void Fast_and_general_paths_agree_on_generated_packets()
    {
        Packets.Sample(packet => Parse(packet, fast: true) == Parse(packet, fast: false), iter: 30000);
    }

    [Fact]
    public void Fast_and_general_paths_agree_without_sanitizing()
    {
        Packets.Sample(packet => Parse(packet, fast: true, sanitize: false) == Parse(packet, fast: false, sanitize: false), iter: 5000);
    }

    [Fact]
    public void Fast_and_general_paths_agree_on_protocol_noise()
    {
        var tokens = new[] { "a", ":", "|", "@", "#", "\n", "c", "ms", "g", "s", "1", "-", ".", "0", "5", "h", "d", " ", "_e{", "c:", "T1" };
        Gen.Int[0, tokens.Length - 1].Array[0, 60]
            .Select(ix => Encoding.UTF8.GetBytes(string.Concat(ix.Select(i => tokens[i]))))
            .Sample(packet => Parse(packet, fast: true) == Parse(packet, fast: false), iter: 30000);
    }

    [Theory]
    [InlineData("a:1|c", "c:a=1")]
    [InlineData("a:-0|ms", "ms:a=0/1")]
    [InlineData("a:-0.0|g", "gd:a=0")]
    [InlineData("a:12.5|ms|@0.1", "ms:a=12.5/10")]
    [InlineData("a:3|c|@0.5\nb:user1|s", "c:a=6; s:b=user1")]
    [InlineData("a:-5|ms", "bad")]
    [InlineData("a:-5|h", "ms:a=-5/1")]
    [InlineData("a:5.|c", "c:a=5")]
    [InlineData("a:.5|c", "c:a=0.5")]
    [InlineData("a:1234567890123456|c", "c:a=1234567890123456")]
    [InlineData("a:0.1|c|@0", "bad")]
    [InlineData("a:1|c|@5.", "c:a=0.2")]
    [InlineData("a:1|ms|#t:1", "ms:a;t=1=1/1")]
    [InlineData("a:1|x", "c:a=1")]
    [InlineData("a:|s", "s:a=0")]
    [InlineData("a:1|c\n\n\nb:2|g\n", "c:a=1; g:b=2")]
    public void Common_shapes_and_near_misses_parse_as_etsy_does(string packet, string expected)
    {
        Assert.Equal(expected, RecordingSink.Parse(packet));
        var general = new StatsdLineParser { FastPath = false };
        var events = new List<string>();
        var sink = new RecordingSink(events);
        general.ParsePacket(Encoding.UTF8.GetBytes(packet), ref sink);
        Assert.Equal(expected, string.Join("; ", events));
    }

    [Fact]
    public void Plain_decimals_convert_to_the_same_double_as_the_general_number_parser()
    {
        Gen.Select(Gen.Long[0, 999_999_999_999_999], Gen.Int[0, 15], Gen.Bool).Sample((n, dot, negative) =>
        {
            var digits = n.ToString(CultureInfo.InvariantCulture);
            var cut = Math.Min(dot, digits.Length - 1);
            var text = (negative ? "-" : "") + (cut == 0 ? digits : digits[..cut] + "." + digits[cut..]);
            var bytes = Encoding.ASCII.GetBytes(text);
            return StatsdLineParser.TryParsePlainDecimal(bytes, allowSign: true, out var fast)
                && JsNumber.TryParse(bytes, out var general)
                && BitConverter.DoubleToInt64Bits(fast) == BitConverter.DoubleToInt64Bits(general);
        }, iter: 20000);
    }

    private static string Parse(byte[] packet, bool fast, bool sanitize = true)
    {
        var events = new List<string>();
        var sink = new ExactSink(events);
        var parser = new StatsdLineParser { FastPath = fast, SanitizeKeys = sanitize };
        var lines = parser.ParsePacket(packet, ref sink);
        return lines.ToString(CultureInfo.InvariantCulture) + ": " + string.Join("; ", events);
    }

    /// <summary>Every callback with its doubles as raw bits (tells -0 from 0 and NaN payloads apart).</summary>
    private readonly struct ExactSink(List<string> events) : IMetricSink
    {
        public void Counter(ReadOnlySpan<byte> key, double increment) => events.Add($"c:{Hex(key)}={Bits(increment)}");

        public void Timer(ReadOnlySpan<byte> key, double value, double countIncrement) =>
            events.Add($"ms:{Hex(key)}={Bits(value)}/{Bits(countIncrement)}");

        public void Gauge(ReadOnlySpan<byte> key, double value, bool signed) => events.Add($"g{signed}:{Hex(key)}={Bits(value)}");

        public void SetMember(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member) => events.Add($"s:{Hex(key)}={Hex(member)}");

        public void BadLine() => events.Add("bad");

        public void Extension(bool serviceCheck) => events.Add(serviceCheck ? "sc" : "ev");

        private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

        private static string Bits(double value) => BitConverter.DoubleToInt64Bits(value).ToString("X16", CultureInfo.InvariantCulture);
    }
}
