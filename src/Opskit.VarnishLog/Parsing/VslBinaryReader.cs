using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Parsing;

/// <summary>The record layouts of binary <c>varnishlog -w</c> files.</summary>
internal enum VslBinaryLayout
{
    /// <summary>Not a file this reader knows.</summary>
    Unknown,

    /// <summary>
    /// Magic <c>VSL\0</c> (Varnish 4.1 to 7.2): two header words, <c>tag &lt;&lt; 24 | length</c> and
    /// <c>marker &lt;&lt; 30 | vxid</c> (30 bits), then the NUL-terminated data padded to whole words.
    /// </summary>
    Version2,

    /// <summary>
    /// Magic <c>VSL2</c> (Varnish 7.3 and later): three header words, <c>tag &lt;&lt; 24 | version &lt;&lt; 16 | length</c>,
    /// the low 32 bits of the vxid, and <c>marker &lt;&lt; 30 | the high 19 bits</c>.
    /// </summary>
    Version3,
}

/// <summary>
/// Decodes the records of a binary VSL file (what <c>varnishlog -w</c> writes) into the assembler, as <c>-g raw</c>
/// lines would be: vxid, tag name, <c>c</c>/<c>b</c>/<c>-</c> and data. Layout from Varnish's
/// <c>include/vapi/vsl_int.h</c> (words in the writer's byte order: little-endian here) and the tag numbering of
/// <c>include/tbl/vsl_tags.h</c> (see <see cref="VslBinaryTags"/>).
/// </summary>
internal sealed class VslBinaryReader
{
    /// <summary>The file header: <c>VSL</c> and a version byte.</summary>
    public const int HeaderBytes = 4;

    /// <summary>Records checked before the reader trusts the tag numbering (see <see cref="Plausible"/>).</summary>
    private const int RecordsToCheck = 256;

    private const int BatchTag = 255;
    private readonly TransactionAssembler _assembler;
    private readonly VslBinaryLayout _layout;
    private readonly byte[][] _tags;
    private readonly int _overheadBytes;

    public VslBinaryReader(VslBinaryLayout layout, TransactionAssembler assembler)
    {
        _layout = layout;
        _assembler = assembler;
        _tags = layout == VslBinaryLayout.Version3 ? VslBinaryTags.Version3 : VslBinaryTags.Version2;
        _overheadBytes = layout == VslBinaryLayout.Version3 ? 12 : 8;
    }

    /// <summary>The layout a file starting with <paramref name="head"/> has; <see cref="VslBinaryLayout.Unknown"/> otherwise.</summary>
    public static VslBinaryLayout Detect(ReadOnlySpan<byte> head) =>
        head.Length < HeaderBytes || !head.StartsWith("VSL"u8) ? VslBinaryLayout.Unknown
        : head[3] == 0 ? VslBinaryLayout.Version2
        : head[3] == (byte)'2' ? VslBinaryLayout.Version3
        : VslBinaryLayout.Unknown;

    /// <summary>True when the file starts with the binary log magic, whatever its version.</summary>
    public static bool LooksBinary(ReadOnlySpan<byte> head) => head.Length >= 3 && head.StartsWith("VSL"u8);

    /// <summary>
    /// Null when the first records of <paramref name="start"/> (the file after its header) read as Varnish writes
    /// them; else why not (a byte order or tag numbering this reader does not know), and the caller reads the file
    /// with <c>varnishlog -r</c> instead. Nothing is handed to the assembler.
    /// </summary>
    public string? Verify(ReadOnlySpan<byte> start)
    {
        var at = 0;
        for (var n = 1; n <= RecordsToCheck && start.Length - at >= _overheadBytes; n++)
        {
            var word0 = BinaryPrimitives.ReadUInt32LittleEndian(start[at..]);
            var length = (int)(word0 & 0xffff);
            var total = _overheadBytes + (((length + 3) / 4) * 4);
            if (start.Length - at < total)
            {
                return n == 1 ? $"the first record ({length} bytes) is longer than the file" : null;
            }

            var tag = (int)(word0 >> 24);
            var raw = start.Slice(at + _overheadBytes, length);
            var nul = raw.IndexOf((byte)0);
            if (tag != BatchTag && !Plausible(Name(tag), raw, nul >= 0 ? raw[..nul] : raw))
            {
                return $"record {n} does not read as a Varnish {(_layout == VslBinaryLayout.Version3 ? "7.3+" : "4.1-7.2")} log record (tag {tag}, {length} bytes)";
            }

            at += total;
        }

        return null;
    }

    /// <summary>
    /// Decodes the whole records at the start of <paramref name="buffer"/>; returns the bytes consumed (the rest is an
    /// unfinished record, to be given again with more bytes after it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Decode(ReadOnlySpan<byte> buffer)
    {
        var at = 0;
        while (buffer.Length - at >= _overheadBytes)
        {
            var word0 = BinaryPrimitives.ReadUInt32LittleEndian(buffer[at..]);
            var length = (int)(word0 & 0xffff);
            var total = _overheadBytes + (((length + 3) / 4) * 4);
            if (buffer.Length - at < total)
            {
                break;
            }

            var tag = (int)(word0 >> 24);
            if (tag != BatchTag)
            {
                Record(tag, buffer.Slice(at, total), length);
            }

            at += total;
        }

        return at;
    }

    /// <summary>End of the file: a record cut short is counted as malformed.</summary>
    public void Complete(int leftoverBytes)
    {
        if (leftoverBytes > 0)
        {
            _assembler.Counters.Lines++;
            _assembler.Counters.MalformedLines++;
        }

        _assembler.Complete();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Record(int tag, ReadOnlySpan<byte> record, int length)
    {
        long vxid;
        uint markers;
        if (_layout == VslBinaryLayout.Version3)
        {
            var high = BinaryPrimitives.ReadUInt32LittleEndian(record[8..]);
            vxid = (long)((((ulong)high << 32) | BinaryPrimitives.ReadUInt32LittleEndian(record[4..])) & ((1UL << 51) - 1));
            markers = high >> 30;
        }
        else
        {
            var word1 = BinaryPrimitives.ReadUInt32LittleEndian(record[4..]);
            vxid = word1 & 0x3fffffff;
            markers = word1 >> 30;
        }

        var raw = record.Slice(_overheadBytes, length);
        var nul = raw.IndexOf((byte)0);
        var data = nul >= 0 ? raw[..nul] : raw;

        // varnishlog's c, b or - column: the client and backend markers.
        var type = (markers & 1) != 0 ? (byte)'c' : (markers & 2) != 0 ? (byte)'b' : (byte)'-';
        _assembler.ProcessRecord(vxid, Name(tag), type, data);
    }

    /// <summary>The name of tag number <paramref name="tag"/>; empty for one this numbering does not have.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Name(int tag) => tag > 0 && tag <= _tags.Length ? _tags[tag - 1] : [];

    /// <summary>
    /// The tag numbering cannot be read from the file: the first records are checked against what Varnish always
    /// writes (a known tag, <c>Begin</c> as <c>sess|req|bereq N reason</c>, an empty <c>End</c>, a <c>Timestamp</c>
    /// as <c>Name: t t t</c>, data ending in its NUL).
    /// </summary>
    private static bool Plausible(ReadOnlySpan<byte> name, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> data)
    {
        if (name.IsEmpty || raw.IsEmpty || raw[^1] != 0)
        {
            return false;
        }

        return VslTags.Lookup(name) switch
        {
            VslTag.Begin => VslLineParser.Field(data, 0) is var kind && (kind.SequenceEqual("sess"u8) || kind.SequenceEqual("req"u8) || kind.SequenceEqual("bereq"u8)),
            VslTag.End => data.IsEmpty,
            VslTag.Timestamp => VslLineParser.Field(data, 0) is var label && !label.IsEmpty && label[^1] == (byte)':',
            _ => true,
        };
    }
}
