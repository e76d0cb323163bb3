namespace Opskit.VarnishLog.Parsing;

/// <summary>What a text line of varnishlog output is.</summary>
public enum VslLineKind
{
    /// <summary>Empty or only whitespace: the separator between groups.</summary>
    Blank,

    /// <summary>A log record: <c>id tag type data</c> (numbered) or <c>--- tag data</c> (grouped).</summary>
    Record,

    /// <summary>A grouped transaction header: <c>**  &lt;&lt; BeReq    &gt;&gt; 3</c>.</summary>
    GroupHeader,

    /// <summary>Not a varnishlog line: counted and skipped.</summary>
    Malformed,
}

/// <summary>
/// One parsed line, as slices of the input: no copy, no allocation. For a record, <see cref="Id"/> is the file
/// descriptor (legacy) or vxid (raw), <see cref="Level"/> the group depth (grouped); for a group header,
/// <see cref="Name"/> is the transaction type (<c>Request</c>, <c>BeReq</c>, <c>Session</c>) and <see cref="Id"/> its vxid.
/// </summary>
internal readonly ref struct VslLine
{
    public VslLine(VslLineKind kind, long id, int level, ReadOnlySpan<byte> name, byte type, ReadOnlySpan<byte> data)
    {
        Kind = kind;
        Id = id;
        Level = level;
        Name = name;
        Type = type;
        Data = data;
    }

    public VslLineKind Kind { get; }

    public long Id { get; }

    public int Level { get; }

    /// <summary>The tag of a record, the transaction type of a group header.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary><c>c</c> client, <c>b</c> backend, <c>-</c> neither (numbered formats); 0 in grouped records.</summary>
    public byte Type { get; }

    public ReadOnlySpan<byte> Data { get; }
}
