using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Opskit.Statsd.Configuration;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Tests.Fuzz;

/// <summary>
/// Issue 21: bounded fuzzing of the two parsers that read untrusted text, run in CI. Each test stops after a fixed
/// number of cases or a time budget, whichever comes first. The line parser must never throw and never emit a
/// non-finite number; the configuration parser must either give a configuration or throw
/// <see cref="FormatException"/> (which start-up turns into one line and exit code 2), nothing else.
/// </summary>
public sealed class FuzzTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(8);

    private static readonly string[] LineTokens =
    [
        "k", "a.b", ":", "|", "@", "#", "\n", "\r", "c", "ms", "g", "s", "h", "d", "1", "0", "-", "+", ".", "e",
        "e308", "e400", "1e-400", "Infinity", "NaN", "0x", "0b", "ff", " ", ",", "_e{", "_sc|", "c:", "T1", ";", "=",
        "@0", "@0.0", "@.5", "9999999999999999999", "\u00a0", "\uffff",
    ];

    private static readonly string[] ConfigTokens =
    [
        "{", "}", "[", "]", "(", ")", ":", ",", ";", "'", "\"", "`", "\\", "/*", "*/", "//", "\n", " ", "port", "address",
        "servers", "backends", "graphite", "flushInterval", "percentThreshold", "histogram", "bins", "'inf'", "tcpMaxLineLength",
        "mgmt_port", "graphiteHost", "retryBufferBytes", "writeTimeout", "8125", "-1", "0", "1e400", "Infinity", "NaN", "0x1f",
        "true", "false", "null", "undefined", "'./servers/tcp'", "'./backends/graphite'", "require('os')", "a", "\u2028",
    ];

    [Fact]
    public void Line_parser_never_throws_and_never_emits_a_non_finite_number()
    {
        var stop = Stopwatch.StartNew();
        var parser = new StatsdLineParser { SanitizeKeys = true };
        var generator = Gen.OneOf(
            Gen.Byte.Array[0, 600],
            Gen.Int[0, LineTokens.Length - 1].Array[0, 60].Select(ix => Encoding.UTF8.GetBytes(string.Concat(ix.Select(i => LineTokens[i])))));
        generator.Sample(
            bytes =>
            {
                if (stop.Elapsed > Budget)
                {
                    return;
                }

                var sink = new FiniteCheckingSink();
                parser.SanitizeKeys = (bytes.Length & 1) == 0;
                parser.ParsePacket(bytes, ref sink);
                Assert.True(sink.AllFinite, $"a non-finite number from: {Convert.ToHexString(bytes)}");
            },
            iter: 200_000);
    }

    [Fact]
    public void Config_parser_gives_a_configuration_or_a_FormatException()
    {
        var stop = Stopwatch.StartNew();
        const string Valid = "{ port: 8125, address: '127.0.0.1', backends: [ './backends/graphite' ], graphite: { writeTimeout: 100 } }";
        var generator = Gen.OneOf(
            Gen.Char.Array[0, 300].Select(chars => new string(chars)),
            Gen.Int[0, ConfigTokens.Length - 1].Array[0, 80].Select(ix => string.Concat(ix.Select(i => ConfigTokens[i]))),
            // Mutations of a valid file: one span replaced by tokens.
            Gen.Select(Gen.Int[0, Valid.Length], Gen.Int[0, 12], Gen.Int[0, ConfigTokens.Length - 1].Array[1, 6], (at, cut, ix) =>
                Valid[..at] + string.Concat(ix.Select(i => ConfigTokens[i])) + Valid[Math.Min(Valid.Length, at + cut)..]));
        generator.Sample(
            text =>
            {
                if (stop.Elapsed > Budget)
                {
                    return;
                }

                try
                {
                    JsonObject parsed = JsLiteralParser.Parse(text);
                    _ = StatsdConfig.FromObject(parsed);
                }
                catch (FormatException)
                {
                    // the documented outcome for a bad file
                }
            },
            iter: 100_000);
    }

    [Fact]
    public void The_graphite_writer_formats_every_value_as_JavaScript_does_memo_or_not()
    {
        // A few repeated values (the memo hits) mixed with random ones (it misses and is overwritten).
        var values = Gen.OneOf(Gen.Double, Gen.Int[-3, 3].Select(i => i / 10.0), Gen.Const(0.1), Gen.Const(-0.0));
        values.Array[1, 300].Sample(
            array =>
            {
                var writer = new Opskit.Statsd.Backends.Graphite.GraphitePayloadWriter(pickle: false);
                var expected = new StringBuilder();
                for (var i = 0; i < array.Length; i++)
                {
                    var ts = 1_700_000_000L + (i / 100);
                    writer.Line("k" + i, array[i], ts);
                    expected.Append('k').Append(i).Append(' ').Append(JsNumber.ToJsString(array[i])).Append(' ').Append(ts).Append('\n');
                }

                Assert.Equal(expected.ToString(), Encoding.UTF8.GetString(writer.Finish().ToArray()));
            },
            iter: 2000);
    }

    /// <summary>Records whether every number the parser emitted was finite.</summary>
    private struct FiniteCheckingSink : IMetricSink
    {
        public FiniteCheckingSink()
        {
        }

        public bool AllFinite { get; private set; } = true;

        public void Counter(ReadOnlySpan<byte> key, double increment) => Check(increment);

        public void Timer(ReadOnlySpan<byte> key, double value, double countIncrement)
        {
            Check(value);
            Check(countIncrement);
            Check(value * value);
        }

        public void Gauge(ReadOnlySpan<byte> key, double value, bool signed) => Check(value);

        public void SetMember(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member)
        {
        }

        public void BadLine()
        {
        }

        public void Extension(bool serviceCheck)
        {
        }

        private void Check(double value) => AllFinite &= double.IsFinite(value);
    }
}
