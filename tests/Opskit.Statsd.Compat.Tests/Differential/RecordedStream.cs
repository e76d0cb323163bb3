using System.Globalization;
using System.Text;

namespace Opskit.Statsd.Compat.Tests.Differential;

/// <summary>
/// A deterministic (seeded) packet stream over everything Etsy statsd 0.9.0 and Opskit both accept:
/// counters (integer, decimal, negative, exponent, sampled), several values per line, unknown type
/// letters (counters in Etsy), timers (sampled, histogram keys), gauges (absolute, +/- deltas, sample
/// rate ignored), sets, DogStatsD tags, keys that need sanitizing, empty lines and bad lines.
/// Left out on purpose: <c>h</c>/<c>d</c>, value packing, <c>|c:</c> and <c>|T</c>, which Opskit
/// handles beyond Etsy (Etsy counts <c>h</c>/<c>d</c> as counters and the rest as bad lines).
/// </summary>
internal sealed class RecordedStream
{
    private const int MaxPacketBytes = 1400;
    private static readonly string[] Rates = ["0.5", "0.25", "0.1", "0.3", "0.05", "1"];
    private static readonly string[] TagSets = ["|#env:prod", "|#env:prod,region:eu-west", "|#canary", "|#role:api,version:1.2.3"];
    private static readonly string[] UnknownTypes = ["x", "z", "k"];

    // Rejected by Etsy's helpers.is_valid_packet: each moves bad_lines_seen and nothing else.
    private static readonly string[] BadLines =
    [
        "diff.bad.nocolon",
        "diff.bad.notype:5",
        "diff.bad.nan:abc|c",
        "diff.bad.emptyvalue:|c",
        "diff.bad.rate:1|c|@abc",
        "diff.bad.negativerate:1|c|@-0.5",
        "diff.bad.ratewithoutat:1|c|0.5",
        "diff.bad.negativetimer:-5|ms",
        "diff.bad.gauge:xyz|g",
        "diff.bad.timer:fast|ms",
    ];

    private readonly Random _random;
    private readonly List<string> _lines = [];

    private RecordedStream(int seed) => _random = new Random(seed);

    /// <summary>The datagrams, each one or more lines joined by <c>\n</c>.</summary>
    public IReadOnlyList<byte[]> Packets { get; private set; } = [];

    /// <summary>Non-empty lines in all packets (what <c>metrics_received</c> counts).</summary>
    public int LineCount { get; private set; }

    /// <summary>Builds a stream of at least <paramref name="minimumLines"/> lines.</summary>
    public static RecordedStream Generate(int seed, int minimumLines)
    {
        var stream = new RecordedStream(seed);
        while (stream._lines.Count < minimumLines)
        {
            stream._lines.Add(stream.NextLine());
        }

        stream.Pack();
        return stream;
    }

    private string NextLine()
    {
        var roll = _random.Next(100);
        return roll switch
        {
            < 20 => Counter(),
            < 30 => SampledCounter(),
            < 33 => MultiValue(),
            < 35 => $"diff.odd.{_random.Next(5)}:{_random.Next(1, 9)}|{UnknownTypes[_random.Next(UnknownTypes.Length)]}",
            < 50 => Timer(),
            < 55 => $"diff.hist.{_random.Next(5)}:{Decimal(0, 2000)}|ms",
            < 70 => Gauge(),
            < 82 => Set(),
            < 90 => Tagged(),
            < 94 => Sanitized(),
            < 97 => BadLines[_random.Next(BadLines.Length)],
            _ => $"diff.counter.{_random.Next(40)}:1|c",
        };
    }

    private string Counter()
    {
        var key = $"diff.counter.{_random.Next(40)}";
        return _random.Next(10) switch
        {
            0 => $"{key}:{Decimal(0, 10)}|c",
            1 => $"{key}:-{_random.Next(1, 5)}|c",
            2 => $"{key}:1e2|c",
            3 => $"{key}|c", // Etsy: no value part, so the whole line is the key and it is a bad line
            _ => $"{key}:{_random.Next(1, 100)}|c",
        };
    }

    private string SampledCounter() =>
        $"diff.sampled.{_random.Next(20)}:{(_random.Next(3) == 0 ? Decimal(0, 5) : _random.Next(1, 10).ToString(CultureInfo.InvariantCulture))}|c|@{Rates[_random.Next(Rates.Length)]}";

    private string MultiValue() =>
        $"diff.multi.{_random.Next(5)}:{_random.Next(1, 9)}|c:{_random.Next(1, 9)}|c:{Decimal(0, 500)}|ms";

    private string Timer()
    {
        var key = $"diff.timer.{_random.Next(30)}";
        var value = _random.Next(4) == 0 ? Decimal(0, 1000) : _random.Next(0, 5000).ToString(CultureInfo.InvariantCulture);
        return _random.Next(4) == 0 ? $"{key}:{value}|ms|@{Rates[_random.Next(Rates.Length)]}" : $"{key}:{value}|ms";
    }

    private string Gauge()
    {
        var key = $"diff.gauge.{_random.Next(20)}";
        return _random.Next(6) switch
        {
            0 => $"{key}:+{_random.Next(1, 50)}|g",
            1 => $"{key}:-{_random.Next(1, 50)}|g",
            2 => $"{key}:{Decimal(0, 100)}|g",
            3 => $"{key}:{_random.Next(0, 1000)}|g|@0.5",
            _ => $"{key}:{_random.Next(0, 1000)}|g",
        };
    }

    private string Set()
    {
        var key = $"diff.set.{_random.Next(10)}";
        var member = _random.Next(3) == 0 ? _random.Next(100).ToString(CultureInfo.InvariantCulture) : $"user{_random.Next(300)}";
        return $"{key}:{member}|s";
    }

    private string Tagged()
    {
        var tags = TagSets[_random.Next(TagSets.Length)];
        return _random.Next(4) switch
        {
            0 => $"diff.tagged.counter:{_random.Next(1, 10)}|c{tags}",
            1 => $"diff.tagged.sampled:{_random.Next(1, 10)}|c|@0.25{tags}",
            2 => $"diff.tagged.timer:{_random.Next(0, 900)}|ms{tags}",
            _ => $"diff.tagged.gauge:{_random.Next(0, 90)}|g{tags}",
        };
    }

    private string Sanitized() => _random.Next(3) switch
    {
        0 => $"diff.needs sanitizing/{_random.Next(3)}:1|c",
        1 => $"diff.odd*chars!{_random.Next(3)}:{_random.Next(1, 9)}|ms",
        _ => $"diff.graphite;tag1=val1:{_random.Next(1, 9)}|c",
    };

    private string Decimal(int min, int max) =>
        (min + _random.NextDouble() * (max - min)).ToString("0.###", CultureInfo.InvariantCulture);

    private void Pack()
    {
        var packets = new List<byte[]>();
        var current = new StringBuilder();
        var linesInPacket = 0;
        var target = NextPacketSize();
        foreach (var line in _lines)
        {
            if (linesInPacket > 0 && (linesInPacket >= target || current.Length + line.Length + 1 > MaxPacketBytes))
            {
                packets.Add(Finish(current));
                linesInPacket = 0;
                target = NextPacketSize();
            }

            if (linesInPacket > 0)
            {
                // An empty line now and then: Etsy skips it without counting it.
                current.Append(_random.Next(50) == 0 ? "\n\n" : "\n");
            }

            current.Append(line);
            linesInPacket++;
        }

        if (linesInPacket > 0)
        {
            packets.Add(Finish(current));
        }

        Packets = packets;
        LineCount = _lines.Count;
    }

    private byte[] Finish(StringBuilder packet)
    {
        if (_random.Next(10) == 0)
        {
            packet.Append('\n'); // trailing newline, as many clients send
        }

        var bytes = Encoding.UTF8.GetBytes(packet.ToString());
        packet.Clear();
        return bytes;
    }

    private int NextPacketSize() => _random.Next(4) == 0 ? 1 : _random.Next(2, 25);
}
