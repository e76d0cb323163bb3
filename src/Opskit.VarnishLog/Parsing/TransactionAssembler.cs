using System.Runtime.CompilerServices;
namespace Opskit.VarnishLog.Parsing;

/// <summary>
/// Turns varnishlog lines of any generation into one <see cref="RequestRecord"/> per client request. Open requests
/// are bounded in number and age; those dropped are counted in <see cref="Counters"/>.
/// </summary>
internal sealed partial class TransactionAssembler
{
    private const int MaxLevels = 16;
    private const int MaxPooledRecords = 256;
    private const int AgeCheckEveryLines = 1024;

    private readonly AssemblerOptions _options;
    private readonly TimeProvider _time;
    // The system clock read directly: a virtual TimeProvider call per request is one more method tiered while running.
    private readonly bool _systemTime;
    private readonly IRequestSink _sink;
    private readonly OpenRequestTable _open = new();
    private readonly RequestRecord?[] _pool = new RequestRecord?[MaxPooledRecords];
    private readonly long _timeoutTicks;
    private readonly Query.TagPatternSet _capturedTags;

    // Grouped output: the transaction at each depth (vxid, or -1 when it is not a client request).
    private readonly long[] _levelRequest = new long[MaxLevels + 1];
    // Grouped output: requests whose End was read, reported when their group ends so that the backend
    // transactions printed after them can still be matched by the query.
    private readonly List<RequestRecord> _endedInGroup = [];
    private int _pooled;
    private RequestRecord? _oldest;
    private RequestRecord? _newest;

    public TransactionAssembler(AssemblerOptions options, TimeProvider time, IRequestSink sink)
    {
        _options = options;
        _time = time;
        _systemTime = ReferenceEquals(time, TimeProvider.System);
        _sink = sink;
        Format = options.Format;
        _timeoutTicks = (long)(options.PendingTimeout.TotalSeconds * time.TimestampFrequency);
        _capturedTags = options.CapturedTags;
        Array.Fill(_levelRequest, -1);
    }

    /// <summary>The format being read; <see cref="LogFormat.Unknown"/> until a decisive line.</summary>
    public LogFormat Format { get; private set; }

    public ReaderCounters Counters { get; } = new();

    /// <summary>Records allocated so far (the pool bounds them by the open-request limit).</summary>
    public int RecordsCreated { get; private set; }

    /// <summary>Reads one line, without its newline.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    public void ProcessLine(ReadOnlySpan<byte> line)
    {
        var counters = Counters;
        counters.Lines++;
        if (counters.Lines % AgeCheckEveryLines == 0)
        {
            ExpireOld();
        }

        if (Format == LogFormat.Unknown)
        {
            Format = VslLineParser.Detect(line);
            if (Format == LogFormat.Unknown)
            {
                // CLI pings, blanks and noise before the first decisive line carry no request.
                if (!IsBlank(line) && VslLineParser.ParseNumbered(line).Kind == VslLineKind.Malformed && VslLineParser.ParseGrouped(line).Kind == VslLineKind.Malformed)
                {
                    counters.MalformedLines++;
                }

                return;
            }
        }

        switch (Format)
        {
            case LogFormat.Legacy:
                ProcessLegacy(VslLineParser.ParseNumbered(line));
                break;
            case LogFormat.Raw:
                ProcessRaw(VslLineParser.ParseNumbered(line));
                break;
            default:
                ProcessGrouped(VslLineParser.ParseGrouped(line));
                break;
        }
    }

    /// <summary>One record of a binary log: as a <c>-g raw</c> line with these fields would be read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ProcessRecord(long vxid, ReadOnlySpan<byte> tag, byte type, ReadOnlySpan<byte> data)
    {
        Format = LogFormat.Binary;
        var counters = Counters;
        counters.Lines++;
        if (counters.Lines % AgeCheckEveryLines == 0)
        {
            ExpireOld();
        }

        ProcessRaw(new VslLine(VslLineKind.Record, vxid, 0, tag, type, data));
    }

    /// <summary>End of input: what is still open is incomplete.</summary>
    public void Complete()
    {
        EndGroup();
        while (_oldest is { } record)
        {
            Counters.Truncated++;
            Drop(record);
        }
    }

    /// <summary>Drops open requests older than the pending timeout (also called every 1024 lines).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ExpireOld()
    {
        var now = Now();
        while (_oldest is { } record && now - record.StartedTimestamp > _timeoutTicks)
        {
            Counters.EvictedByAge++;
            Drop(record);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    private void ProcessLegacy(VslLine line)
    {
        if (line.Kind != VslLineKind.Record)
        {
            CountMalformed(line);
            return;
        }

        if (line.Type != (byte)'c')
        {
            return;
        }

        var tag = VslTags.Lookup(line.Name);
        RequestRecord? record;
        if (tag == VslTag.ReqStart)
        {
            record = Open(line.Id);
            var data = line.Data;
            record.RemoteIp = record.Store(VslLineParser.Field(data, 0));
            record.Vxid = Math.Max(0, RequestRecord.ParseLong(VslLineParser.Field(data, 2)));
            Capture(record, line.Name, data);
            return;
        }

        if (!_open.TryGetValue(line.Id, out record))
        {
            return;
        }

        Capture(record, line.Name, line.Data);
        ApplyLegacy(record, tag, line.Data);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    private void ProcessRaw(VslLine line)
    {
        if (line.Kind != VslLineKind.Record)
        {
            CountMalformed(line);
            return;
        }

        if (line.Type != (byte)'c')
        {
            return;
        }

        var tag = VslTags.Lookup(line.Name);
        if (tag == VslTag.Begin)
        {
            BeginModern(line.Id, line.Data);
            return;
        }

        if (_open.TryGetValue(line.Id, out var record))
        {
            Capture(record, line.Name, line.Data);
            ApplyModern(record, tag, line.Data);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    private void ProcessGrouped(VslLine line)
    {
        switch (line.Kind)
        {
            case VslLineKind.Blank:
                EndGroup();
                return;
            case VslLineKind.Malformed:
                Counters.MalformedLines++;
                return;
            case VslLineKind.GroupHeader:
                if (line.Level > MaxLevels)
                {
                    return;
                }

                if (line.Level == 1)
                {
                    EndGroup();
                    // A new group: whatever the last group left open was cut off (varnishlog -g with a timeout, or a truncated file).
                    while (_oldest is { } open)
                    {
                        Counters.Truncated++;
                        Drop(open);
                    }
                }

                _levelRequest[line.Level] = line.Name.SequenceEqual("Request"u8) ? line.Id : -1;
                for (var deeper = line.Level + 1; deeper <= MaxLevels; deeper++)
                {
                    _levelRequest[deeper] = -1;
                }

                return;
        }

        if (line.Level > MaxLevels)
        {
            return;
        }

        var vxid = _levelRequest[line.Level];
        var tag = VslTags.Lookup(line.Name);
        if (vxid < 0)
        {
            // A backend or session transaction: only the query looks at it, on behalf of the request above.
            if (!_capturedTags.IsEmpty && FindRequestAbove(line.Level) is { } parent)
            {
                Capture(parent, line.Name, line.Data, line.Level);
            }

            return;
        }

        if (tag == VslTag.Begin)
        {
            BeginModern(vxid, line.Data);
            return;
        }

        if (_open.TryGetValue(vxid, out var record) && !record.Ended)
        {
            Capture(record, line.Name, line.Data, line.Level);
            if (tag == VslTag.End)
            {
                record.Ended = true;
                _endedInGroup.Add(record);
            }
            else
            {
                ApplyModern(record, tag, line.Data);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EndGroup()
    {
        foreach (var record in _endedInGroup)
        {
            // Still open unless the count limit dropped it meanwhile (then it was recycled: Ended is false).
            if (record.Ended && _open.TryGetValue(record.Key, out var open) && ReferenceEquals(open, record))
            {
                Finish(record);
            }
        }

        _endedInGroup.Clear();
    }

    private RequestRecord? FindRequestAbove(int level)
    {
        for (var up = level - 1; up >= 1; up--)
        {
            if (_levelRequest[up] >= 0 && _open.TryGetValue(_levelRequest[up], out var record))
            {
                return record;
            }
        }

        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BeginModern(long vxid, ReadOnlySpan<byte> data)
    {
        // Begin req 1 rxreq | Begin req 4 esi | Begin bereq 2 fetch | Begin sess 0 HTTP/1
        if (!VslLineParser.Field(data, 0).SequenceEqual("req"u8))
        {
            return;
        }

        var record = Open(vxid);
        record.Vxid = vxid;
        record.Skip = VslLineParser.Field(data, 2).SequenceEqual("esi"u8);
        Capture(record, "Begin"u8, data);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Capture(RequestRecord record, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> data, int level = 1)
    {
        if (!_capturedTags.IsEmpty && _capturedTags.Matches(tag))
        {
            record.Captured.Add((record.Store(tag), level, record.Store(data)));
        }
    }

    private void CountMalformed(VslLine line)
    {
        if (line.Kind == VslLineKind.Malformed)
        {
            Counters.MalformedLines++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Now() => _systemTime ? System.Diagnostics.Stopwatch.GetTimestamp() : _time.GetTimestamp();

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;
}
