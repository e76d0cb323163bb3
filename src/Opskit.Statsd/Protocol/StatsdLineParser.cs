using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

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

    /// <summary>
    /// Takes the single-pass fast path for lines of the common shape (on by default; tests turn it off to
    /// compare it with the general path, which must give the same callbacks for every input).
    /// </summary>
    internal bool FastPath { get; set; } = true;

    /// <summary>Parses every non-empty line of a packet; returns the number of lines (Etsy's metrics_received).</summary>
    public int ParsePacket<TSink>(ReadOnlySpan<byte> packet, ref TSink sink)
        where TSink : struct, IMetricSink, allows ref struct
    {
        var lines = 0;
        var fast = FastPath;
        while (!packet.IsEmpty)
        {
            if (packet[0] == (byte)'\n')
            {
                packet = packet[1..];
                continue;
            }

            lines++;
            var length = fast ? TryParseCommonLine(packet, ref sink) : -1;
            if (length < 0)
            {
                var nl = packet.IndexOf((byte)'\n');
                length = nl < 0 ? packet.Length : nl;
                ParseLine(packet[..length], ref sink);
            }

            // Past the line and its newline (if any).
            packet = length < packet.Length ? packet[(length + 1)..] : default;
        }

        return lines;
    }

    /// <summary>
    /// One pass over a line of the shape nearly every client sends, <c>key:number|type</c> or
    /// <c>key:number|type|@rate</c> with a clean key (nothing to sanitize), a plain decimal number, one of the
    /// types c, ms, g, s, h, d and no tags or DogStatsD fields. Calls the sink exactly as <see cref="ParseLine"/>
    /// would and returns the line's length; returns -1, having called nothing, for anything else (the general
    /// path then parses the line from the start).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TryParseCommonLine<TSink>(ReadOnlySpan<byte> text, ref TSink sink)
        where TSink : struct, IMetricSink, allows ref struct
    {
        // A key of allowed bytes ends at the first ':' (empty keys and anything else: general path). Vectorized:
        // the key is most of a line, and a byte-at-a-time table scan was the parser's largest cost.
        var i = text.IndexOfAnyExcept(KeySanitizer.Allowed);
        if (i <= 0 || text[i] != (byte)':')
        {
            return -1;
        }

        var key = text[..i];
        var valueStart = ++i;
        while (true)
        {
            if ((uint)i >= (uint)text.Length)
            {
                return -1;
            }

            var b = text[i];
            if (b == (byte)'|')
            {
                break;
            }

            if (b is (byte)':' or (byte)'\n')
            {
                return -1;
            }

            i++;
        }

        var value = text[valueStart..i];
        if (value.IsEmpty)
        {
            return -1;
        }

        i++;
        if ((uint)(i + 1) >= (uint)text.Length)
        {
            // Room for a one-byte type and a terminator is needed below; short lines take the general path.
            return ParseTypeAtEnd(text, i, key, value, ref sink);
        }

        MetricKind kind;
        var t = text[i];
        var t1 = text[i + 1];
        if (t == (byte)'m' && t1 == (byte)'s')
        {
            kind = MetricKind.Timer;
            i += 2;
        }
        else
        {
            kind = t switch
            {
                (byte)'c' => MetricKind.Counter,
                (byte)'g' => MetricKind.Gauge,
                (byte)'s' => MetricKind.Set,
                (byte)'h' or (byte)'d' => MetricKind.Timer,
                _ => MetricKind.None,
            };
            i++;
        }

        if (kind == MetricKind.None)
        {
            return -1;
        }

        var rate = 1.0;
        if ((uint)i < (uint)text.Length && text[i] != (byte)'\n')
        {
            // Only "|@<digits[.digits]>" may follow the type here; tags, DogStatsD fields and the rest go the general way.
            if (text[i] != (byte)'|' || (uint)(i + 1) >= (uint)text.Length || text[i + 1] != (byte)'@')
            {
                return -1;
            }

            var rateStart = i + 2;
            i = rateStart;
            while ((uint)i < (uint)text.Length && text[i] != (byte)'\n')
            {
                i++;
            }

            if (!TryParsePlainDecimal(text[rateStart..i], allowSign: false, out rate))
            {
                return -1;
            }
        }

        return Emit(kind, key, value, rate, ref sink) ? i : -1;
    }

    /// <summary>The type field runs to the end of the packet (the last line), with no room to look ahead.</summary>
    private static int ParseTypeAtEnd<TSink>(ReadOnlySpan<byte> text, int i, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ref TSink sink)
        where TSink : struct, IMetricSink, allows ref struct
    {
        if (i != text.Length - 1)
        {
            return -1;
        }

        var kind = text[i] switch
        {
            (byte)'c' => MetricKind.Counter,
            (byte)'g' => MetricKind.Gauge,
            (byte)'s' => MetricKind.Set,
            (byte)'h' or (byte)'d' => MetricKind.Timer,
            _ => MetricKind.None,
        };
        return kind != MetricKind.None && Emit(kind, key, value, 1.0, ref sink) ? text.Length : -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Emit<TSink>(MetricKind kind, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, double rate, ref TSink sink)
        where TSink : struct, IMetricSink, allows ref struct
    {
        if (kind == MetricKind.Set)
        {
            // Any member text is valid for a set (Etsy: the raw value).
            sink.SetMember(key, value);
            return true;
        }

        if (!TryParsePlainDecimal(value, allowSign: true, out var number))
        {
            return false;
        }

        if (rate == 0)
        {
            return false; // 1 / 0: the general path counts it as a bad line
        }

        switch (kind)
        {
            case MetricKind.Counter:
                sink.Counter(key, number * (1 / rate));
                return true;
            case MetricKind.Gauge:
                sink.Gauge(key, number, value[0] == (byte)'-');
                return true;
            default:
                // ms must not be negative (Etsy's validation); -0 is not negative. h and d: the general path
                // does not check, but a negative h/d also just goes the general way.
                if (number < 0)
                {
                    return false;
                }

                sink.Timer(key, number, 1 / rate);
                return true;
        }
    }

    /// <summary>
    /// <c>-?digits(.digits)?</c> with at most 15 digits in all, converted exactly: the digits as an integer are below
    /// 2^53 and 10^k (k &lt;= 15) is exact, so one IEEE division gives the correctly rounded value, the same double
    /// <see cref="JsNumber.TryParse"/> (and JavaScript) gives. Anything else returns false.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryParsePlainDecimal(ReadOnlySpan<byte> text, bool allowSign, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (allowSign && !text.IsEmpty && text[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        ulong mantissa = 0;
        var digits = 0;
        var dot = -1;
        for (; (uint)i < (uint)text.Length; i++)
        {
            var d = (uint)(text[i] - '0');
            if (d <= 9)
            {
                mantissa = (mantissa * 10) + d;
                digits++;
            }
            else if (text[i] == (byte)'.' && dot < 0 && digits > 0)
            {
                dot = i;
            }
            else
            {
                return false;
            }
        }

        // A trailing '.' ("5.") and over-long numbers go the general way.
        if (digits == 0 || digits > 15 || dot == text.Length - 1)
        {
            return false;
        }

        double result = mantissa;
        if (dot >= 0)
        {
            result /= PowersOfTen[text.Length - 1 - dot];
        }

        value = negative ? -result : result;
        return true;
    }

    private static readonly double[] PowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    private enum MetricKind : byte
    {
        None,
        Counter,
        Timer,
        Gauge,
        Set,
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
                    if (!double.IsFinite(number))
                    {
                        sink.BadLine();
                        return;
                    }

                    sink.Gauge(key, number, value[0] is (byte)'-' or (byte)'+');
                    return;
                case (byte)'s':
                    sink.SetMember(key, value.IsEmpty ? "0"u8 : value);
                    return;
                case (byte)'h' or (byte)'d':
                    // Beyond Etsy: DogStatsD histograms and distributions aggregate as timers.
                    EmitTimer(key, number, sampleRate, ref sink);
                    return;
            }
        }
        else if (metricType.SequenceEqual("ms"u8))
        {
            EmitTimer(key, number, sampleRate, ref sink);
            return;
        }

        // Beyond Etsy (issue 21): Infinity, NaN, 1e400 and a rate of 0 (1 / 0) would reach the backends as
        // "Infinity"/"NaN"; they are bad lines instead.
        var increment = number * (1 / sampleRate);
        if (!double.IsFinite(increment))
        {
            sink.BadLine();
            return;
        }

        sink.Counter(key, increment);
    }

    /// <summary>
    /// Largest timer value accepted: its square, and the sum of squares of up to 10^8 such values, stay finite
    /// (Etsy's <c>sum_squares</c> would otherwise be Infinity).
    /// </summary>
    internal const double MaxTimerValue = 1e150;

    private static void EmitTimer<TSink>(ReadOnlySpan<byte> key, double number, double sampleRate, ref TSink sink)
        where TSink : struct, IMetricSink, allows ref struct
    {
        var count = 1 / sampleRate;
        if (!double.IsFinite(number) || Math.Abs(number) > MaxTimerValue || !double.IsFinite(count))
        {
            sink.BadLine();
            return;
        }

        sink.Timer(key, number, count);
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
