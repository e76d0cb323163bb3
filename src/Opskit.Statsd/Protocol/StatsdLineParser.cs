using System.Buffers;
using System.Numerics;

namespace Opskit.Statsd.Protocol;

/// <summary>
/// Etsy statsd's <c>handlePacket</c> line protocol over bytes: <c>key:value|type[|@rate][|#tags]</c>, several
/// values per key, Etsy's validation (<c>lib/helpers.js</c> is_valid_packet) and key sanitizing, plus the
/// DogStatsD extensions current clients send. One instance per receive loop (it owns scratch buffers);
/// allocation-free after construction for lines up to 64 KiB.
/// </summary>
internal sealed class StatsdLineParser
{
    private const int ScratchSize = 65536;
    private byte[] _key = new byte[ScratchSize];
    private byte[] _rewrite = new byte[ScratchSize];

    /// <summary>Etsy <c>keyNameSanitize</c>: sanitize keys on ingress (default true).</summary>
    public bool SanitizeKeys { get; set; } = true;

    /// <summary>Parses every non-empty line of a packet; returns the number of lines (Etsy's metrics_received).</summary>
    public int ParsePacket<TSink>(ReadOnlySpan<byte> packet, ref TSink sink)
        where TSink : struct, IMetricSink, allows ref struct
    {
        var lines = 0;
        while (true)
        {
            var nl = packet.IndexOf((byte)'\n');
            var line = nl < 0 ? packet : packet[..nl];
            if (!line.IsEmpty)
            {
                lines++;
                ParseLine(line, ref sink);
            }

            if (nl < 0)
            {
                return lines;
            }

            packet = packet[(nl + 1)..];
        }
    }

    /// <summary>Parses one non-empty line (no newline inside).</summary>
    public void ParseLine<TSink>(ReadOnlySpan<byte> line, ref TSink sink)
        where TSink : struct, IMetricSink, allows ref struct
    {
        if (line.Length > 2 && line[0] == (byte)'_')
        {
            if (line.StartsWith("_e{"u8))
            {
                sink.Extension(serviceCheck: false);
                return;
            }

            if (line.StartsWith("_sc|"u8))
            {
                sink.Extension(serviceCheck: true);
                return;
            }
        }

        EnsureCapacity(line.Length);
        if (MayHaveDogStatsdFields(line))
        {
            line = StripDogStatsdFields(line, _rewrite);
        }

        // Etsy: line.split('|#'): the key part, then tags between the first and a second '|#'.
        var head = line;
        ReadOnlySpan<byte> tags = default;
        var tagStart = line.IndexOf("|#"u8);
        if (tagStart >= 0)
        {
            head = line[..tagStart];
            tags = line[(tagStart + 2)..];
            var second = tags.IndexOf("|#"u8);
            if (second >= 0)
            {
                tags = tags[..second];
            }
        }

        var colon = head.IndexOf((byte)':');
        var rawKey = colon < 0 ? head : head[..colon];
        var key = BuildKey(rawKey, tags);
        if (colon < 0)
        {
            // Etsy pushes "1" as the only value: fields ["1"] has no type, so it is one bad line.
            sink.BadLine();
            return;
        }

        var values = head[(colon + 1)..];
        while (true)
        {
            var next = values.IndexOf((byte)':');
            var segment = next < 0 ? values : values[..next];
            var bar = segment.IndexOf((byte)'|');
            if (bar >= 0)
            {
                ParseValue(key, segment[..bar], segment[(bar + 1)..], ref sink);
            }
            else if (next >= 0 && TryFindPackedSuffix(values[(next + 1)..], out var suffix))
            {
                // Beyond Etsy: DogStatsD value packing `k:1:2:3|d` - a bare value takes the type (and
                // rate) of the next value that has one. Etsy counts each bare value as a bad line.
                ParseValue(key, segment, suffix, ref sink);
            }
            else
            {
                sink.BadLine();
            }

            if (next < 0)
            {
                return;
            }

            values = values[(next + 1)..];
        }
    }

    private static bool TryFindPackedSuffix(ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> suffix)
    {
        while (true)
        {
            var next = rest.IndexOf((byte)':');
            var segment = next < 0 ? rest : rest[..next];
            var bar = segment.IndexOf((byte)'|');
            if (bar >= 0)
            {
                suffix = segment[(bar + 1)..];
                return true;
            }

            if (next < 0)
            {
                suffix = default;
                return false;
            }

            rest = rest[(next + 1)..];
        }
    }

    private static void ParseValue<TSink>(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ReadOnlySpan<byte> rest, ref TSink sink)
        where TSink : struct, IMetricSink, allows ref struct
    {
        // fields = segment.split('|'); only fields[0..2] matter to Etsy.
        var bar2 = rest.IndexOf((byte)'|');
        var type = bar2 < 0 ? rest : rest[..bar2];
        var sampleRate = 1.0;
        if (bar2 >= 0)
        {
            var rateField = rest[(bar2 + 1)..];
            var bar3 = rateField.IndexOf((byte)'|');
            if (bar3 >= 0)
            {
                rateField = rateField[..bar3];
            }

            if (!TryParseSampleRate(rateField, out sampleRate))
            {
                sink.BadLine();
                return;
            }
        }

        // Validation switches on the untrimmed type; dispatch uses the trimmed one (Etsy does both).
        var valid = JsNumber.TryParse(value, out var number) && !value.IsEmpty;
        if (type.SequenceEqual("s"u8))
        {
            valid = true;
        }
        else if (type.SequenceEqual("ms"u8))
        {
            valid = valid && number >= 0;
        }

        if (!valid)
        {
            sink.BadLine();
            return;
        }

        var metricType = JsNumber.Trim(type);
        if (metricType.Length == 1)
        {
            switch (metricType[0])
            {
                case (byte)'g':
                    sink.Gauge(key, number, value[0] is (byte)'-' or (byte)'+');
                    return;
                case (byte)'s':
                    sink.SetMember(key, value.IsEmpty ? "0"u8 : value);
                    return;
                case (byte)'h' or (byte)'d':
                    // Beyond Etsy: DogStatsD histograms and distributions aggregate as timers.
                    sink.Timer(key, number, 1 / sampleRate);
                    return;
            }
        }
        else if (metricType.SequenceEqual("ms"u8))
        {
            sink.Timer(key, number, 1 / sampleRate);
            return;
        }

        sink.Counter(key, number * (1 / sampleRate));
    }

    /// <summary>
    /// Etsy's isValidSampleRate, then <c>Number(field.match(/^@([\d\.]+)/)[1])</c>. Where Etsy would throw
    /// (valid number without a leading digit run, e.g. <c>@+1</c>) the value is a bad line instead.
    /// </summary>
    internal static bool TryParseSampleRate(ReadOnlySpan<byte> field, out double rate)
    {
        rate = 1;
        if (field.Length <= 1 || field[0] != (byte)'@')
        {
            return false;
        }

        var number = field[1..];
        if (number[0] == (byte)'-' || !JsNumber.TryParse(number, out var whole))
        {
            return false;
        }

        var n = number.IndexOfAnyExcept(DigitsAndDot);
        if (n < 0)
        {
            // The whole text is the regex capture: reuse the parse above.
            rate = whole;
            return true;
        }

        if (n == 0)
        {
            return false;
        }

        if (!JsNumber.TryParse(number[..n], out rate))
        {
            rate = double.NaN;
        }

        return true;
    }

    private ReadOnlySpan<byte> BuildKey(ReadOnlySpan<byte> rawKey, ReadOnlySpan<byte> tags)
    {
        if (tags.IsEmpty && (!SanitizeKeys || KeySanitizer.IsClean(rawKey)))
        {
            return rawKey;
        }

        var buffer = _key.AsSpan();
        rawKey.CopyTo(buffer);
        var length = rawKey.Length;
        if (!tags.IsEmpty)
        {
            // key += ';' + tags.map(t => t.replace(';', '_').replace(':', '=')).join(';')  (first occurrence only)
            while (true)
            {
                var comma = tags.IndexOf((byte)',');
                var tag = comma < 0 ? tags : tags[..comma];
                buffer[length++] = (byte)';';
                var dest = buffer.Slice(length, tag.Length);
                tag.CopyTo(dest);
                var semi = dest.IndexOf((byte)';');
                if (semi >= 0)
                {
                    dest[semi] = (byte)'_';
                }

                var colon = dest.IndexOf((byte)':');
                if (colon >= 0)
                {
                    dest[colon] = (byte)'=';
                }

                length += tag.Length;
                if (comma < 0)
                {
                    break;
                }

                tags = tags[(comma + 1)..];
            }
        }

        if (SanitizeKeys)
        {
            length = KeySanitizer.SanitizeInPlace(buffer[..length]);
        }

        return buffer[..length];
    }

    private static readonly SearchValues<byte> DigitsAndDot = SearchValues.Create("0123456789."u8);

    private static bool MayHaveDogStatsdFields(ReadOnlySpan<byte> line)
    {
        if (line.IndexOf("|c:"u8) < 0 && line.IndexOf("|T"u8) < 0)
        {
            return false;
        }

        var at = 0;
        while (true)
        {
            var i = line[at..].IndexOf((byte)'|');
            if (i < 0)
            {
                return false;
            }

            at += i + 1;
            if (at + 1 < line.Length
                && ((line[at] == (byte)'c' && line[at + 1] == (byte)':') || (line[at] == (byte)'T' && IsDigit(line[at + 1]))))
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Beyond Etsy: removes DogStatsD <c>|c:&lt;container-id&gt;</c> and <c>|T&lt;timestamp&gt;</c> fields that follow the
    /// type field of a value. Etsy would split the container id on its ':' (two bad lines) or read the timestamp as a
    /// bad sample rate; current DogStatsD clients send both.
    /// </summary>
    private static ReadOnlySpan<byte> StripDogStatsdFields(ReadOnlySpan<byte> line, Span<byte> output)
    {
        var written = 0;
        var position = 0; // index of the current field within its value: 0 = value, 1 = type, 2+ = options
        var first = true;
        while (true)
        {
            var bar = line.IndexOf((byte)'|');
            var field = bar < 0 ? line : line[..bar];
            var isTag = !first && field.Length > 0 && field[0] == (byte)'#';
            var drop = !isTag && position >= 2 && (field.StartsWith("c:"u8) || IsTimestampField(field));
            if (!drop)
            {
                if (!first)
                {
                    output[written++] = (byte)'|';
                }

                field.CopyTo(output[written..]);
                written += field.Length;
                position = !isTag && field.IndexOf((byte)':') >= 0 ? 1 : position + 1;
            }

            first = false;
            if (bar < 0)
            {
                return output[..written];
            }

            line = line[(bar + 1)..];
        }
    }

    private static bool IsTimestampField(ReadOnlySpan<byte> field)
    {
        if (field.Length < 2 || field[0] != (byte)'T')
        {
            return false;
        }

        foreach (var b in field[1..])
        {
            if (!IsDigit(b))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private void EnsureCapacity(int lineLength)
    {
        // Tags and sanitizing never make the key longer than the line, so scratch of line length suffices.
        if (lineLength > _key.Length)
        {
            var size = (int)BitOperations.RoundUpToPowerOf2((uint)lineLength);
            _key = new byte[size];
            _rewrite = new byte[size];
        }
    }
}
