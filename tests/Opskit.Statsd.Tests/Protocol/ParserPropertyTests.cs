using System.Text;
using CsCheck;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Tests.Protocol;

/// <summary>Random input never throws and never turns into metrics it does not contain.</summary>
public sealed class ParserPropertyTests
{
    private static readonly Gen<byte[]> AnyBytes = Gen.Byte.Array[0, 700];

    // Bytes that look like protocol text: the characters that matter to the grammar, plus noise.
    private static readonly byte[][] Tokens =
    [
        "a"u8.ToArray(), ":"u8.ToArray(), "|"u8.ToArray(), "@"u8.ToArray(), "#"u8.ToArray(), "\n"u8.ToArray(),
        "c"u8.ToArray(), "ms"u8.ToArray(), "g"u8.ToArray(), "s"u8.ToArray(), "1"u8.ToArray(), "-"u8.ToArray(),
        "+"u8.ToArray(), "."u8.ToArray(), "e"u8.ToArray(), ","u8.ToArray(), " "u8.ToArray(), "_e{"u8.ToArray(),
        "_sc|"u8.ToArray(), "c:"u8.ToArray(), "T1"u8.ToArray(), [0xC2, 0xA0], [0xFF],
    ];

    // Bytes that look like protocol text: the characters that matter to the grammar, plus noise.
    private static readonly Gen<byte[]> ProtocolishBytes =
        Gen.Int[0, Tokens.Length - 1].Array[0, 80].Select(indexes => indexes.SelectMany(i => Tokens[i]).ToArray());

    [Fact]
    public void Random_bytes_never_throw_and_every_line_is_counted()
    {
        AnyBytes.Sample(bytes => CheckCounts(bytes), iter: 5000);
        ProtocolishBytes.Sample(bytes => CheckCounts(bytes), iter: 20000);
    }

    [Fact]
    public void Lines_without_a_colon_only_move_bad_lines_seen()
    {
        AnyBytes.Select(b => b.Where(x => x != (byte)':').ToArray()).Sample(bytes =>
        {
            var events = new List<string>();
            var sink = new RecordingSink(events);
            var lines = new StatsdLineParser().ParsePacket(bytes, ref sink);
            var extensions = events.Count(e => e is "ev" or "sc");
            return events.Count(e => e == "bad") == lines - extensions && events.Count == lines;
        }, iter: 5000);
    }

    [Fact]
    public void Garbage_lines_around_a_valid_line_do_not_change_it()
    {
        AnyBytes.Select(b => b.Where(x => x is not ((byte)'\n' or (byte)':')).ToArray()).Sample(garbage =>
        {
            var packet = garbage.Concat("\nvalid.key:5|c|@0.5\n"u8.ToArray()).Concat(garbage).ToArray();
            var events = new List<string>();
            var sink = new RecordingSink(events);
            new StatsdLineParser().ParsePacket(packet, ref sink);
            return events.Count(e => e == "c:valid.key=10") == 1
                && events.All(e => e == "c:valid.key=10" || e is "bad" or "ev" or "sc");
        }, iter: 3000);
    }

    private static bool CheckCounts(byte[] bytes)
    {
        var events = new List<string>();
        var sink = new RecordingSink(events);
        var lines = new StatsdLineParser().ParsePacket(bytes, ref sink);
        var expectedLines = Encoding.Latin1.GetString(bytes).Split('\n').Count(l => l.Length > 0);
        // Every line yields at least one event (a metric, a bad value, or an extension).
        return lines == expectedLines && events.Count >= lines;
    }
}
