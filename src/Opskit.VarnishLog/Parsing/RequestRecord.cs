using System.Buffers.Text;
using System.Text;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Parsing;

/// <summary>A field of a <see cref="RequestRecord"/>: where its bytes are in the record's arena.</summary>
internal readonly record struct Slice(int Offset, int Length)
{
    public bool IsSet => Length >= 0;

    public static Slice None => new(0, -1);
}

/// <summary>
/// One client request as read from the log, whatever the Varnish generation. The record owns a byte arena that its
/// fields are copied into, and is reused: the assembler hands it to the sink when the request ends and takes it
/// back afterwards, so a sink must copy what it keeps (<see cref="RequestEntry.From"/>).
/// </summary>
internal sealed class RequestRecord
{
    /// <summary>A request bigger than this (headers of a pathological client) keeps its first bytes only.</summary>
    public const int MaxArenaBytes = 256 * 1024;
    private const int InitialArenaBytes = 1024;

    private byte[] _arena = new byte[InitialArenaBytes];
    private int _used;

    public long Key { get; set; }

    /// <summary>Transaction id: the vxid (4.x-7.x) or the xid of <c>ReqStart</c>/<c>ReqEnd</c> (legacy).</summary>
    public long Vxid { get; set; }

    /// <summary>The peer address from <c>ReqStart</c>.</summary>
    public Slice RemoteIp { get; set; } = Slice.None;

    /// <summary>The client shown and filtered: <see cref="RemoteIp"/>, or the configured header's first address.</summary>
    public Slice Client { get; set; } = Slice.None;

    public Slice Method { get; set; } = Slice.None;

    public Slice Url { get; set; } = Slice.None;

    public Slice Protocol { get; set; } = Slice.None;

    /// <summary>HTTP status sent to the client; -1 when none was logged (pipe, aborted request).</summary>
    public int Status { get; set; } = -1;

    public Slice Reason { get; set; } = Slice.None;

    public Handling Handling { get; set; }

    /// <summary>When the request started, seconds since the epoch; NaN when not logged.</summary>
    public double StartTime { get; set; } = double.NaN;

    /// <summary>Time from request start to the end of delivery, ms (legacy: ReqEnd end - start; 4.x+: Timestamp Resp or PipeSess).</summary>
    public double TotalMs { get; set; } = double.NaN;

    /// <summary>Time until the response was ready to send, ms (legacy: ReqEnd's dp, the original's only_slow; 4.x+: Timestamp Process).</summary>
    public double ProcessMs { get; set; } = double.NaN;

    /// <summary>Response body bytes sent (legacy Length, 4.x+ ReqAcct); -1 when not logged.</summary>
    public long BodyBytes { get; set; } = -1;

    /// <summary>Not reported: ended in a restart (the restarted request is) or an ESI subrequest.</summary>
    public bool Skip { get; set; }

    /// <summary>Grouped logs: <c>End</c> was read; reported at the end of the group.</summary>
    public bool Ended { get; set; }

    /// <summary>Legacy 2.1: the <c>VCL_call</c> whose <c>VCL_return</c> is awaited.</summary>
    public bool AwaitingReturn { get; set; }

    public List<Slice> RequestHeaders { get; } = new(16);

    public List<Slice> ResponseHeaders { get; } = new(16);

    /// <summary>
    /// Records kept for the <c>-q</c> query: tag name, transaction level (1 for the request, 2 for its backend
    /// requests and ESI subrequests, and so on, as in <c>-g request</c>) and data.
    /// </summary>
    public List<(Slice Tag, int Level, Slice Data)> Captured { get; } = [];

    internal long StartedTimestamp { get; set; }

    internal RequestRecord? Older { get; set; }

    internal RequestRecord? Newer { get; set; }

    /// <summary>The bytes of <paramref name="slice"/>; empty when the field is not set.</summary>
    public ReadOnlySpan<byte> this[Slice slice]
    {
        // Inlined into the optimized per-request callers: a call would be tiered and instrumented (TieredPGO).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => slice.Length <= 0 ? [] : _arena.AsSpan(slice.Offset, slice.Length);
    }

    /// <summary>Copies <paramref name="data"/> into the arena.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    public Slice Store(ReadOnlySpan<byte> data)
    {
        if (_used + data.Length > _arena.Length)
        {
            var wanted = Math.Min(MaxArenaBytes, Math.Max(_arena.Length * 2, _used + data.Length));
            if (wanted > _arena.Length)
            {
                Array.Resize(ref _arena, wanted);
            }

            data = data[..Math.Min(data.Length, _arena.Length - _used)];
        }

        data.CopyTo(_arena.AsSpan(_used));
        var slice = new Slice(_used, data.Length);
        _used += data.Length;
        return slice;
    }

    /// <summary>Removes the last header equal to <paramref name="header"/> (an <c>Unset</c> record).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Unset(List<Slice> headers, ReadOnlySpan<byte> header)
    {
        for (var i = headers.Count - 1; i >= 0; i--)
        {
            if (this[headers[i]].SequenceEqual(header))
            {
                headers.RemoveAt(i);
                return;
            }
        }
    }

    /// <summary>The value of the first header named <paramref name="name"/> (ASCII case-insensitive).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGetHeader(List<Slice> headers, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        foreach (var slice in headers)
        {
            if (HeaderLine.TryValue(this[slice], name, out value))
            {
                return true;
            }
        }

        value = [];
        return false;
    }

    /// <summary>Parses a decimal number field; NaN when it is not one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double ParseDouble(ReadOnlySpan<byte> field) =>
        Utf8Parser.TryParse(field, out double value, out var consumed) && consumed == field.Length ? value : double.NaN;

    /// <summary>Parses a non-negative integer field; -1 when it is not one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long ParseLong(ReadOnlySpan<byte> field) =>
        Utf8Parser.TryParse(field, out long value, out var consumed) && consumed == field.Length && value >= 0 ? value : -1;

    /// <summary>Back to an empty request; a grown arena is dropped so that one huge request does not stay pinned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Reset()
    {
        if (_arena.Length > 16 * InitialArenaBytes)
        {
            _arena = new byte[InitialArenaBytes];
        }

        _used = 0;
        Key = 0;
        Vxid = 0;
        RemoteIp = Client = Method = Url = Protocol = Reason = Slice.None;
        Status = -1;
        Handling = Handling.None;
        StartTime = TotalMs = ProcessMs = double.NaN;
        BodyBytes = -1;
        Skip = false;
        Ended = false;
        AwaitingReturn = false;
        RequestHeaders.Clear();
        ResponseHeaders.Clear();
        Captured.Clear();
        Older = Newer = null;
    }
}

/// <summary>Helpers for <c>Name: value</c> header records.</summary>
internal static class HeaderLine
{
    /// <summary>True when <paramref name="header"/> is named <paramref name="name"/>; <paramref name="value"/> is trimmed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryValue(ReadOnlySpan<byte> header, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = [];
        if (header.Length <= name.Length || header[name.Length] != ':' || !Ascii.EqualsIgnoreCase(header[..name.Length], name))
        {
            return false;
        }

        value = header[(name.Length + 1)..].Trim((byte)' ');
        return true;
    }

    /// <summary>The name and value of <paramref name="header"/>; false without a colon.</summary>
    public static bool Split(ReadOnlySpan<byte> header, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var colon = header.IndexOf((byte)':');
        if (colon <= 0)
        {
            name = header;
            value = [];
            return false;
        }

        name = header[..colon];
        value = header[(colon + 1)..].TrimStart((byte)' ');
        return true;
    }
}
