using System.Text;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Tests.Protocol;

/// <summary>
/// Line → result table. Expected values follow Etsy statsd 0.9.0 <c>stats.js</c> handlePacket and
/// <c>lib/helpers.js</c> is_valid_packet (worked out from the source; the differential test in
/// Opskit.Statsd.Compat.Tests checks the same against the real daemon). Rows marked "beyond Etsy" are
/// the DogStatsD extensions.
/// </summary>
public sealed class StatsdLineParserTests
{
    [Theory]
    // counters and sample rates
    [InlineData("a:1|c", "c:a=1")]
    [InlineData("a:2|c|@0.5", "c:a=4")]
    [InlineData("a:1|c|@0.1", "c:a=10")]
    [InlineData("a:1|c|@0.3", "c:a=3.3333333333333335")]
    [InlineData("a:1.5|c", "c:a=1.5")]
    [InlineData("a:-3|c", "c:a=-3")]
    [InlineData("a:+3|c", "c:a=3")]
    [InlineData("a:+10e1|c", "c:a=100")]
    [InlineData("a:1e3|c", "c:a=1000")]
    [InlineData("a:|c", "bad")]
    [InlineData("a:x|c", "bad")]
    [InlineData("a:1|z", "c:a=1")]
    [InlineData("a:1|", "c:a=1")]
    [InlineData("a:1|MS", "c:a=1")]
    [InlineData("a:1|C", "c:a=1")]
    [InlineData("a:1", "bad")]
    [InlineData("a", "bad")]
    [InlineData("a:", "bad")]
    [InlineData("a_bad_test_value|z", "bad")]
    [InlineData(":1|c", "c:=1")]
    [InlineData("a:2|c|@1", "c:a=2")]
    [InlineData("a.b.c:3|c|@0.25", "c:a.b.c=12")]
    // timers (and h/d beyond Etsy)
    [InlineData("a:100|ms", "ms:a=100/1")]
    [InlineData("a:100|ms|@0.1", "ms:a=100/10")]
    [InlineData("a:10|ms|@0.5", "ms:a=10/2")]
    [InlineData("a:-1|ms", "bad")]
    [InlineData("a:-1.0|ms", "bad")]
    [InlineData("a:-0.0|ms", "ms:a=0/1")]
    [InlineData("a:0|ms", "ms:a=0/1")]
    [InlineData("a:1.0|ms", "ms:a=1/1")]
    [InlineData("a:+1|ms", "ms:a=1/1")]
    [InlineData("a:0,345345|ms", "bad")]
    [InlineData("a:x|ms", "bad")]
    [InlineData("a:3|ms|@0", "bad")] // beyond Etsy (issue 21): a count of Infinity
    [InlineData("a:100|h", "ms:a=100/1")]
    [InlineData("a:100|d", "ms:a=100/1")]
    [InlineData("a:-5|h", "ms:a=-5/1")]
    [InlineData("a:1| ms", "ms:a=1/1")]
    // gauges
    [InlineData("a:5|g", "g:a=5")]
    [InlineData("a:+5|g", "gd:a=5")]
    [InlineData("a:-5|g", "gd:a=-5")]
    [InlineData("a:+10.0|g", "gd:a=10")]
    [InlineData("a:|g", "bad")]
    [InlineData("a:x|g", "bad")]
    [InlineData("a:5|g|@0.5", "g:a=5")]
    [InlineData("a:5|g|@x", "bad")]
    [InlineData("a: -5|g", "g:a=-5")]
    [InlineData("a:-Infinity|g", "bad")] // beyond Etsy (issue 21): non-finite
    // sets
    [InlineData("a:foo|s", "s:a=foo")]
    [InlineData("a:123456|s", "s:a=123456")]
    [InlineData("a:|s", "s:a=0")]
    [InlineData("a:foo|s|@0.5", "s:a=foo")]
    [InlineData("a:foo|s|@bad", "bad")]
    // sample rate validation (helpers_tests sampling_is_invalid / sampling_is_valid)
    [InlineData("a:1|c|@", "bad")]
    [InlineData("a:1|c|@blah", "bad")]
    [InlineData("a:1|c|@.", "bad")]
    [InlineData("a:1|c|@.1.", "bad")]
    [InlineData("a:1|c|@.1.2.3", "bad")]
    [InlineData("a:1|c|@-1.0", "bad")]
    [InlineData("a:1|c|", "bad")]
    [InlineData("a:1|c|b", "bad")]
    [InlineData("a:1|c|blah", "bad")]
    [InlineData("a:1|c|0,456456", "bad")]
    [InlineData("a:1|c|@2", "c:a=0.5")]
    [InlineData("a:1|c|@.2", "c:a=5")]
    [InlineData("a:1|c|@2e-1", "c:a=0.5")]
    [InlineData("a:1|c|@1e1", "c:a=1")]
    [InlineData("a:1|c|@1.", "c:a=1")]
    [InlineData("a:1|c|@0x10", "bad")] // rate 0 (Etsy: Infinity)
    [InlineData("a:1|c|@+1", "bad")]
    [InlineData("a:1|c|@ 1", "bad")]
    [InlineData("a:1|c|@1.0|extra", "c:a=1")]
    // several values per key
    [InlineData("a:1|c:2|c", "c:a=1; c:a=2")]
    [InlineData("a:1|c:2|ms", "c:a=1; ms:a=2/1")]
    [InlineData("a:1|c:x|c", "c:a=1; bad")]
    [InlineData("a:1|c:2", "c:a=1; bad")]
    [InlineData("a:1:2:3|d", "ms:a=1/1; ms:a=2/1; ms:a=3/1")]
    [InlineData("a:1:2|c|@0.5", "c:a=2; c:a=4")]
    [InlineData("a:1:2", "bad; bad")]
    // tags
    [InlineData("a:1|c|#tag", "c:a;tag=1")]
    [InlineData("a:1|c|#t1:v1,t2", "c:a;t1=v1;t2=1")]
    [InlineData("a:1|c|#t:v:w", "c:a;t=vw=1")]
    [InlineData("a:1|c|#t;x", "c:a;t_x=1")]
    [InlineData("a:1|c|#", "c:a=1")]
    [InlineData("a:1|c|#a,,b", "c:a;a;;b=1")]
    [InlineData("a:1|#t|c", "bad")]
    [InlineData("a:1|c|#t1|#t2", "c:a;t1=1")]
    [InlineData("a:1|c|#tag:", "c:a;tag==1")]
    [InlineData("a:1|ms|@0.5|#env:prod", "ms:a;env=prod=1/2")]
    // key sanitizing
    [InlineData("a b:1|c", "c:a_b=1")]
    [InlineData("a  b:1|c", "c:a_b=1")]
    [InlineData("a\tb:1|c", "c:a_b=1")]
    [InlineData("a/b:1|c", "c:a-b=1")]
    [InlineData("a$b:1|c", "c:ab=1")]
    [InlineData("a.b-c_d:1|c", "c:a.b-c_d=1")]
    [InlineData("a;b=c:1|c", "c:a;b=c=1")]
    [InlineData("é:1|c", "c:=1")]
    [InlineData("a\u00a0b:1|c", "c:a_b=1")]
    [InlineData("a\u3000b:1|c", "c:a_b=1")]
    [InlineData("a \u00a0 b:1|c", "c:a_b=1")]
    [InlineData("a $ b:1|c", "c:a__b=1")]
    [InlineData("a/b c:1|c|#x y:z", "c:a-b_c;x_y=z=1")]
    // carriage returns: validation sees the raw type, dispatch the trimmed one
    [InlineData("a:1|c\r", "c:a=1")]
    [InlineData("a:100|ms\r", "ms:a=100/1")]
    [InlineData("a:-5|ms\r", "ms:a=-5/1")]
    [InlineData("a:foo|s\r", "bad")]
    [InlineData("a:7|s\r", "s:a=7")]
    [InlineData("a:5|g\r", "g:a=5")]
    // JavaScript Number() corners
    [InlineData("a: 5|c", "c:a=5")]
    [InlineData("a: |c", "c:a=0")]
    [InlineData("a:Infinity|c", "bad")] // beyond Etsy (issue 21): non-finite values are bad lines
    [InlineData("a:1|c|@0", "bad")]
    [InlineData("a:0|c|@0", "bad")]
    [InlineData("a:+1e308|g", "gd:a=1e+308")]
    [InlineData("a:1e309|g", "bad")]
    [InlineData("a:NaN|g", "bad")]
    [InlineData("a:Infinity|ms", "bad")]
    [InlineData("a:1e150|ms", "ms:a=1e+150/1")]
    [InlineData("a:1e151|ms", "bad")]
    [InlineData("a:1e200|h", "bad")]
    [InlineData("a:1e308|c|@0.1", "bad")]
    [InlineData("a:0x10|c", "c:a=16")]
    [InlineData("a:0b101|c", "c:a=5")]
    [InlineData("a:0o17|c", "c:a=15")]
    [InlineData("a:-0x10|c", "bad")]
    [InlineData("a:1_000|c", "bad")]
    [InlineData("a:1e1000|c", "bad")]
    [InlineData("a:.5|c", "c:a=0.5")]
    [InlineData("a:5.|c", "c:a=5")]
    [InlineData("a:NaN|c", "bad")]
    [InlineData("a:1,5|c", "bad")]
    [InlineData("a:1e-7|c", "c:a=1e-7")]
    // DogStatsD extensions (beyond Etsy)
    [InlineData("_e{5,4}:title|text", "ev")]
    [InlineData("_e{5,4}:title|text|#a:b", "ev")]
    [InlineData("_sc|name|0", "sc")]
    [InlineData("_sc|name|1|#a:b|m:msg", "sc")]
    [InlineData("a:1|c|c:abc", "c:a=1")]
    [InlineData("a:1|c|T1700000000", "c:a=1")]
    [InlineData("a:1|c|@0.5|#t:v|c:abc|T1700000000", "c:a;t=v=2")]
    [InlineData("a:1|c|#t:v|T17", "c:a;t=v=1")]
    [InlineData("a:1|g|T12", "g:a=1")]
    [InlineData("a:1|c|Tx", "bad")]
    [InlineData("a:1|c|@0.5|T12", "c:a=2")]
    [InlineData("a:1:2|d|#k:v|c:0123abc", "ms:a;k=v=1/1; ms:a;k=v=2/1")]
    public void Line_parses_as_Etsy_does(string line, string expected) =>
        Assert.Equal(expected, RecordingSink.Parse(line));

    [Fact]
    public void Keys_are_kept_raw_when_sanitizing_is_off() =>
        Assert.Equal("c:a b/c$=1", RecordingSink.Parse("a b/c$:1|c", sanitize: false));

    [Fact]
    public void Packet_lines_split_on_newline_and_empty_lines_are_skipped()
    {
        var events = new List<string>();
        var sink = new RecordingSink(events);
        var lines = new StatsdLineParser().ParsePacket("a:1|c\n\nb:2|ms\n"u8, ref sink);
        Assert.Equal(2, lines);
        Assert.Equal(["c:a=1", "ms:b=2/1"], events);
    }

    [Fact]
    public void Bad_line_count_is_per_value_not_per_line()
    {
        var events = new List<string>();
        var sink = new RecordingSink(events);
        var lines = new StatsdLineParser().ParsePacket("a:x|c:y|c\n"u8, ref sink);
        Assert.Equal(1, lines);
        Assert.Equal(["bad", "bad"], events);
    }

    [Fact]
    public void Long_lines_grow_the_scratch_buffers()
    {
        var key = new string('k', 100_000);
        Assert.Equal($"c:{key};t=1", RecordingSink.Parse($"{key}:1|c|#t"));
    }

    [Fact]
    public void Every_split_of_a_packet_parses_the_same_lines_as_the_whole()
    {
        // Stream framing (TCP) hands the parser packets cut at newlines; cutting at any newline must
        // give the same metrics as the whole packet.
        var packet = "a:1|c\nb:2|ms|@0.5\nc:+3|g\nd:x|s\nbad\ne:1|c|#t:v\n";
        var whole = RecordingSink.Parse(packet);
        var bytes = Encoding.UTF8.GetBytes(packet);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            if (cut > 0 && bytes[cut - 1] != (byte)'\n')
            {
                continue;
            }

            var first = RecordingSink.Parse(bytes[..cut]);
            var second = RecordingSink.Parse(bytes[cut..]);
            var joined = string.Join("; ", new[] { first, second }.Where(s => s.Length > 0));
            Assert.Equal(whole, joined);
        }
    }
}
