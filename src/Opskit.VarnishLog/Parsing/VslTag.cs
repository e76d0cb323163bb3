using System.Runtime.CompilerServices;
namespace Opskit.VarnishLog.Parsing;

/// <summary>The varnishlog tags vlogdump reads, of both generations; everything else is <see cref="Other"/>.</summary>
internal enum VslTag : byte
{
    Other,

    // Both generations.
    ReqStart,
    VclCall,
    VclReturn,
    Hit,
    HitPass,

    // Legacy 2.1 and 3.0.
    SessionOpen,
    RxRequest,
    RxUrl,
    RxProtocol,
    RxHeader,
    TxStatus,
    TxResponse,
    TxProtocol,
    TxHeader,
    ReqEnd,
    Length,

    // 4.x to 7.x.
    Begin,
    End,
    ReqMethod,
    ReqUrl,
    ReqProtocol,
    ReqHeader,
    ReqUnset,
    RespStatus,
    RespReason,
    RespProtocol,
    RespHeader,
    RespUnset,
    HitMiss,
    Timestamp,
    ReqAcct,
    Link,
}

/// <summary>Maps a tag name to <see cref="VslTag"/> without allocating.</summary>
internal static class VslTags
{
    /// <summary>The tag for <paramref name="name"/>, <see cref="VslTag.Other"/> when vlogdump does not need it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    public static VslTag Lookup(ReadOnlySpan<byte> name)
    {
        switch (name.Length)
        {
            case 3:
                return name.SequenceEqual("Hit"u8) ? VslTag.Hit : name.SequenceEqual("End"u8) ? VslTag.End : VslTag.Other;
            case 4:
                return name.SequenceEqual("Link"u8) ? VslTag.Link : VslTag.Other;
            case 5:
                return name.SequenceEqual("RxURL"u8) ? VslTag.RxUrl : name.SequenceEqual("Begin"u8) ? VslTag.Begin : VslTag.Other;
            case 6:
                return name.SequenceEqual("ReqURL"u8) ? VslTag.ReqUrl
                    : name.SequenceEqual("ReqEnd"u8) ? VslTag.ReqEnd
                    : name.SequenceEqual("Length"u8) ? VslTag.Length
                    : VslTag.Other;
            case 7:
                return name.SequenceEqual("HitPass"u8) ? VslTag.HitPass
                    : name.SequenceEqual("HitMiss"u8) ? VslTag.HitMiss
                    : name.SequenceEqual("ReqAcct"u8) ? VslTag.ReqAcct
                    : VslTag.Other;
            case 8:
                return name.SequenceEqual("VCL_call"u8) ? VslTag.VclCall
                    : name.SequenceEqual("ReqStart"u8) ? VslTag.ReqStart
                    : name.SequenceEqual("RxHeader"u8) ? VslTag.RxHeader
                    : name.SequenceEqual("TxStatus"u8) ? VslTag.TxStatus
                    : name.SequenceEqual("TxHeader"u8) ? VslTag.TxHeader
                    : name.SequenceEqual("ReqUnset"u8) ? VslTag.ReqUnset
                    : VslTag.Other;
            case 9:
                return name.SequenceEqual("RxRequest"u8) ? VslTag.RxRequest
                    : name.SequenceEqual("ReqMethod"u8) ? VslTag.ReqMethod
                    : name.SequenceEqual("ReqHeader"u8) ? VslTag.ReqHeader
                    : name.SequenceEqual("RespUnset"u8) ? VslTag.RespUnset
                    : name.SequenceEqual("Timestamp"u8) ? VslTag.Timestamp
                    : VslTag.Other;
            case 10:
                return name.SequenceEqual("VCL_return"u8) ? VslTag.VclReturn
                    : name.SequenceEqual("RxProtocol"u8) ? VslTag.RxProtocol
                    : name.SequenceEqual("TxResponse"u8) ? VslTag.TxResponse
                    : name.SequenceEqual("TxProtocol"u8) ? VslTag.TxProtocol
                    : name.SequenceEqual("RespStatus"u8) ? VslTag.RespStatus
                    : name.SequenceEqual("RespReason"u8) ? VslTag.RespReason
                    : name.SequenceEqual("RespHeader"u8) ? VslTag.RespHeader
                    : VslTag.Other;
            case 11:
                return name.SequenceEqual("SessionOpen"u8) ? VslTag.SessionOpen
                    : name.SequenceEqual("ReqProtocol"u8) ? VslTag.ReqProtocol
                    : VslTag.Other;
            case 12:
                return name.SequenceEqual("RespProtocol"u8) ? VslTag.RespProtocol : VslTag.Other;
            default:
                return VslTag.Other;
        }
    }

    /// <summary>Tags only Varnish 2.1/3.0 writes: one of them settles a numbered log as legacy.</summary>
    public static bool IsLegacyOnly(VslTag tag) => tag is VslTag.SessionOpen or VslTag.RxRequest or VslTag.RxUrl
        or VslTag.RxProtocol or VslTag.RxHeader or VslTag.TxStatus or VslTag.TxResponse or VslTag.TxProtocol
        or VslTag.TxHeader or VslTag.ReqEnd;

    /// <summary>Tags only Varnish 4.x-7.x writes: one of them settles a numbered log as raw.</summary>
    public static bool IsModernOnly(VslTag tag) => tag is VslTag.Begin or VslTag.End or VslTag.ReqMethod
        or VslTag.ReqUrl or VslTag.ReqProtocol or VslTag.ReqHeader or VslTag.RespStatus or VslTag.RespReason
        or VslTag.RespHeader or VslTag.Timestamp or VslTag.ReqAcct or VslTag.Link or VslTag.HitMiss;
}
