using System.Runtime.CompilerServices;
namespace Opskit.VarnishLog.Parsing;

/// <summary>
/// Pure functions from one line of varnishlog text (without its newline) to a <see cref="VslLine"/>: slices of the
/// input, no allocation, never an exception, whatever the bytes.
/// </summary>
internal static class VslLineParser
{
    private const int MaxDigits = 18;

    /// <summary>A numbered record: <c>%5u %-12s %c %s</c> (legacy) or <c>%10u %-14s %c %s</c> (raw).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    public static VslLine ParseNumbered(ReadOnlySpan<byte> line)
    {
        line = TrimEnd(line);
        var i = SkipSpaces(line, 0);
        if (i == line.Length)
        {
            return Blank;
        }

        var digitsStart = i;
        long id = 0;
        while (i < line.Length && IsDigit(line[i]))
        {
            if (i - digitsStart >= MaxDigits)
            {
                return Malformed;
            }

            id = (id * 10) + (line[i] - '0');
            i++;
        }

        if (i == digitsStart || i == line.Length || line[i] != ' ')
        {
            return Malformed;
        }

        i = SkipSpaces(line, i);
        var tagStart = i;
        while (i < line.Length && IsTagChar(line[i]))
        {
            i++;
        }

        if (i == tagStart || i == line.Length || line[i] != ' ')
        {
            return Malformed;
        }

        var tag = line[tagStart..i];
        i = SkipSpaces(line, i);
        if (i == line.Length)
        {
            return Malformed;
        }

        var type = line[i];
        i++;
        if (i < line.Length && line[i] != ' ')
        {
            return Malformed;
        }

        var data = i < line.Length ? line[(i + 1)..] : [];
        return new VslLine(VslLineKind.Record, id, 0, tag, type, data);
    }

    /// <summary>A grouped line: <c>*   &lt;&lt; Request  &gt;&gt; 2</c>, <c>-   ReqURL         /</c> or a blank separator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    public static VslLine ParseGrouped(ReadOnlySpan<byte> line)
    {
        line = TrimEnd(line);
        if (line.IsEmpty)
        {
            return Blank;
        }

        var marker = line[0];
        if (marker is not ((byte)'*' or (byte)'-'))
        {
            return SkipSpaces(line, 0) == line.Length ? Blank : Malformed;
        }

        var level = 0;
        while (level < line.Length && line[level] == marker)
        {
            level++;
        }

        if (level == line.Length || line[level] != ' ')
        {
            return Malformed;
        }

        var i = SkipSpaces(line, level);
        return marker == (byte)'*' ? ParseHeader(line, i, level) : ParseGroupedRecord(line, i, level);
    }

    /// <summary>True when <paramref name="line"/> looks like grouped output (first byte <c>*</c> or <c>-</c>).</summary>
    public static bool LooksGrouped(ReadOnlySpan<byte> line) => !line.IsEmpty && line[0] is (byte)'*' or (byte)'-';

    /// <summary>
    /// The format a line proves, or <see cref="LogFormat.Unknown"/> when it proves nothing (a blank or a CLI line).
    /// Numbered lines are settled by a tag only one generation writes, else by the width of the number column
    /// (5 in legacy, 10 in raw).
    /// </summary>
    public static LogFormat Detect(ReadOnlySpan<byte> line)
    {
        if (LooksGrouped(line))
        {
            return ParseGrouped(line).Kind is VslLineKind.GroupHeader or VslLineKind.Record ? LogFormat.Grouped : LogFormat.Unknown;
        }

        var record = ParseNumbered(line);
        if (record.Kind != VslLineKind.Record)
        {
            return LogFormat.Unknown;
        }

        var tag = VslTags.Lookup(record.Name);
        if (VslTags.IsLegacyOnly(tag))
        {
            return LogFormat.Legacy;
        }

        if (VslTags.IsModernOnly(tag))
        {
            return LogFormat.Raw;
        }

        if (tag == VslTag.Other)
        {
            return LogFormat.Unknown;
        }

        var numberStart = SkipSpaces(line, 0);
        var numberEnd = numberStart + line[numberStart..].IndexOf((byte)' ');
        return numberEnd == 5 ? LogFormat.Legacy : numberEnd == 10 ? LogFormat.Raw : LogFormat.Unknown;
    }

    /// <summary>The <paramref name="index"/>-th (0-based) whitespace-separated field of <paramref name="data"/>, or empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    public static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> data, int index)
    {
        var i = 0;
        for (var n = 0; ; n++)
        {
            i = SkipSpaces(data, i);
            if (i == data.Length)
            {
                return [];
            }

            var start = i;
            while (i < data.Length && data[i] != ' ' && data[i] != '\t')
            {
                i++;
            }

            if (n == index)
            {
                return data[start..i];
            }
        }
    }

    /// <summary>The first field and the rest after the spaces that follow it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    public static ReadOnlySpan<byte> FirstField(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> rest)
    {
        var i = SkipSpaces(data, 0);
        var start = i;
        while (i < data.Length && data[i] != ' ' && data[i] != '\t')
        {
            i++;
        }

        rest = data[SkipSpaces(data, i)..];
        return data[start..i];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static VslLine ParseHeader(ReadOnlySpan<byte> line, int i, int level)
    {
        if (!line[i..].StartsWith("<<"u8))
        {
            return Malformed;
        }

        i = SkipSpaces(line, i + 2);
        var nameStart = i;
        while (i < line.Length && line[i] != ' ')
        {
            i++;
        }

        var name = line[nameStart..i];
        i = SkipSpaces(line, i);
        if (name.IsEmpty || !line[i..].StartsWith(">>"u8))
        {
            return Malformed;
        }

        i = SkipSpaces(line, i + 2);
        var digitsStart = i;
        long vxid = 0;
        while (i < line.Length && IsDigit(line[i]) && i - digitsStart < MaxDigits)
        {
            vxid = (vxid * 10) + (line[i] - '0');
            i++;
        }

        return i == digitsStart || i != line.Length
            ? Malformed
            : new VslLine(VslLineKind.GroupHeader, vxid, level, name, 0, []);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static VslLine ParseGroupedRecord(ReadOnlySpan<byte> line, int i, int level)
    {
        var tagStart = i;
        while (i < line.Length && IsTagChar(line[i]))
        {
            i++;
        }

        if (i == tagStart || (i < line.Length && line[i] != ' '))
        {
            return Malformed;
        }

        var tag = line[tagStart..i];
        var data = line[SkipSpaces(line, i)..];
        return new VslLine(VslLineKind.Record, 0, level, tag, 0, data);
    }

    private static VslLine Blank
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(VslLineKind.Blank, 0, 0, [], 0, []);
    }

    private static VslLine Malformed
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(VslLineKind.Malformed, 0, 0, [], 0, []);
    }

    // The helpers below are inlined: called per byte from the per-line parsers, which are optimized at once; a call
    // left out would run tiered (with TieredPGO: instrumented, a helper call per block) for the first second of a run.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> line)
    {
        var end = line.Length;
        while (end > 0 && line[end - 1] is (byte)' ' or (byte)'\r' or (byte)'\t')
        {
            end--;
        }

        return line[..end];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipSpaces(ReadOnlySpan<byte> line, int i)
    {
        while (i < line.Length && line[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsTagChar(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a' || IsDigit(b) || b == '_';
}
