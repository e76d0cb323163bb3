using System.Runtime.CompilerServices;
namespace Opskit.VarnishLog.Parsing;

/// <summary>What each tag does to a request, per generation.</summary>
internal sealed partial class TransactionAssembler
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    private void ApplyLegacy(RequestRecord record, VslTag tag, ReadOnlySpan<byte> data)
    {
        switch (tag)
        {
            case VslTag.RxRequest:
                record.Method = SetOnce(record, record.Method, data);
                break;
            case VslTag.RxUrl:
                record.Url = SetOnce(record, record.Url, data);
                break;
            case VslTag.RxProtocol:
                record.Protocol = SetOnce(record, record.Protocol, data);
                break;
            case VslTag.RxHeader:
                record.RequestHeaders.Add(record.Store(data));
                break;
            case VslTag.TxStatus:
                record.Status = (int)Math.Min(999, RequestRecord.ParseLong(VslLineParser.Field(data, 0)));
                break;
            case VslTag.TxResponse:
                record.Reason = record.Store(data);
                break;
            case VslTag.TxHeader:
                record.ResponseHeaders.Add(record.Store(data));
                break;
            case VslTag.VclCall:
                {
                    // 2.1: "VCL_call c recv" then "VCL_return c lookup"; 3.0: "VCL_call c recv lookup".
                    var method = VslLineParser.FirstField(data, out var returned);
                    record.Handling = HandlingRule.OnVclCall(record.Handling, method);
                    if (returned.IsEmpty)
                    {
                        record.AwaitingReturn = true;
                    }
                    else
                    {
                        record.Handling = HandlingRule.OnVclReturn(record.Handling, VslLineParser.Field(returned, 0));
                    }

                    break;
                }

            case VslTag.VclReturn:
                record.AwaitingReturn = false;
                record.Handling = HandlingRule.OnVclReturn(record.Handling, VslLineParser.Field(data, 0));
                break;
            case VslTag.Hit:
                record.Handling = Handling.Hit;
                break;
            case VslTag.HitPass:
                record.Handling = Handling.HitPass;
                break;
            case VslTag.Length:
                record.BodyBytes = RequestRecord.ParseLong(VslLineParser.Field(data, 0));
                break;
            case VslTag.ReqEnd:
                {
                    // ReqEnd c xid t_req t_end dh dp da: the original shows (t_end - t_req) * 1000 and filters on dp.
                    var start = RequestRecord.ParseDouble(VslLineParser.Field(data, 1));
                    var end = RequestRecord.ParseDouble(VslLineParser.Field(data, 2));
                    record.StartTime = start;
                    record.TotalMs = (end - start) * 1000;
                    record.ProcessMs = RequestRecord.ParseDouble(VslLineParser.Field(data, 4)) * 1000;
                    Finish(record);
                    break;
                }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    private void ApplyModern(RequestRecord record, VslTag tag, ReadOnlySpan<byte> data)
    {
        switch (tag)
        {
            case VslTag.ReqStart:
                record.RemoteIp = record.Store(VslLineParser.Field(data, 0));
                break;
            case VslTag.ReqMethod:
                record.Method = SetOnce(record, record.Method, data);
                break;
            case VslTag.ReqUrl:
                record.Url = SetOnce(record, record.Url, data);
                break;
            case VslTag.ReqProtocol:
                record.Protocol = SetOnce(record, record.Protocol, data);
                break;
            case VslTag.ReqHeader:
                record.RequestHeaders.Add(record.Store(data));
                break;
            case VslTag.ReqUnset:
                record.Unset(record.RequestHeaders, data);
                break;
            case VslTag.RespStatus:
                record.Status = (int)Math.Min(999, RequestRecord.ParseLong(VslLineParser.Field(data, 0)));
                break;
            case VslTag.RespReason:
                record.Reason = record.Store(data);
                break;
            case VslTag.RespHeader:
                record.ResponseHeaders.Add(record.Store(data));
                break;
            case VslTag.RespUnset:
                record.Unset(record.ResponseHeaders, data);
                break;
            case VslTag.VclCall:
                record.Handling = HandlingRule.OnVclCall(record.Handling, VslLineParser.Field(data, 0));
                break;
            case VslTag.VclReturn:
                {
                    var action = VslLineParser.Field(data, 0);
                    record.Handling = HandlingRule.OnVclReturn(record.Handling, action);
                    if (action.SequenceEqual("restart"u8))
                    {
                        // 4.x+ restarts in a new vxid, which is the one reported (as varnishncsa does).
                        record.Skip = true;
                    }

                    break;
                }

            case VslTag.Hit:
                record.Handling = Handling.Hit;
                break;
            case VslTag.HitMiss:
                record.Handling = Handling.HitMiss;
                break;
            case VslTag.HitPass:
                record.Handling = Handling.HitPass;
                break;
            case VslTag.Timestamp:
                ApplyTimestamp(record, data);
                break;
            case VslTag.ReqAcct:
                record.BodyBytes = RequestRecord.ParseLong(VslLineParser.Field(data, 4));
                break;
            case VslTag.End:
                Finish(record);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ApplyTimestamp(RequestRecord record, ReadOnlySpan<byte> data)
    {
        // Timestamp Resp: <absolute> <since start> <since last>
        var name = VslLineParser.FirstField(data, out var rest);
        if (name.SequenceEqual("Start:"u8))
        {
            record.StartTime = RequestRecord.ParseDouble(VslLineParser.Field(rest, 0));
        }
        else if (name.SequenceEqual("Resp:"u8) || (name.SequenceEqual("PipeSess:"u8) && double.IsNaN(record.TotalMs)))
        {
            record.TotalMs = RequestRecord.ParseDouble(VslLineParser.Field(rest, 1)) * 1000;
        }
        else if (name.SequenceEqual("Process:"u8))
        {
            record.ProcessMs = RequestRecord.ParseDouble(VslLineParser.Field(rest, 1)) * 1000;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Slice SetOnce(RequestRecord record, Slice current, ReadOnlySpan<byte> data) =>
        // The request line as the client sent it: VCL rewrites log the field again.
        current.IsSet ? current : record.Store(data);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private RequestRecord Open(long key)
    {
        if (_open.TryGetValue(key, out var previous))
        {
            // Same session or vxid again before the end: the earlier request was cut off.
            Counters.Truncated++;
            Drop(previous);
        }
        else if (_open.Count >= _options.MaxPending && _oldest is { } oldest)
        {
            Counters.EvictedByCount++;
            Drop(oldest);
        }

        RequestRecord record;
        if (_pooled > 0)
        {
            record = _pool[--_pooled]!;
            _pool[_pooled] = null;
        }
        else
        {
            record = new RequestRecord();
            RecordsCreated++;
        }

        record.Key = key;
        record.StartedTimestamp = Now();
        record.Older = _newest;
        if (_newest is not null)
        {
            _newest.Newer = record;
        }

        _newest = record;
        _oldest ??= record;
        _open.Set(key, record);
        Counters.Pending = _open.Count;
        return record;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Finish(RequestRecord record)
    {
        Unlink(record);
        if (record.Skip)
        {
            Counters.Skipped++;
        }
        else
        {
            record.Client = record.RemoteIp;
            if (_options.ClientIpHeader is { } header && record.TryGetHeader(record.RequestHeaders, header, out var value))
            {
                // X-Forwarded-For: client, proxy1, proxy2: the first address is the client.
                var comma = value.IndexOf((byte)',');
                record.Client = record.Store((comma >= 0 ? value[..comma] : value).Trim((byte)' '));
            }

            Counters.Requests++;
            _sink.OnRequest(record);
        }

        Recycle(record);
    }

    private void Drop(RequestRecord record)
    {
        Unlink(record);
        Recycle(record);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Unlink(RequestRecord record)
    {
        _open.Remove(record.Key);
        Counters.Pending = _open.Count;
        if (record.Older is { } older)
        {
            older.Newer = record.Newer;
        }
        else
        {
            _oldest = record.Newer;
        }

        if (record.Newer is { } newer)
        {
            newer.Older = record.Older;
        }
        else
        {
            _newest = record.Older;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Recycle(RequestRecord record)
    {
        record.Reset();
        if (_pooled < _pool.Length)
        {
            _pool[_pooled++] = record;
        }
    }
}
