using System.Text;

namespace Opskit.VarnishLog.Parsing;

/// <summary>
/// Tag names by number, as binary VSL files store them (number 1 first; 0 is unused). A file does not say which
/// numbering it uses: the names are those of Varnish's <c>include/tbl/vsl_tags.h</c> (with the HTTP tags of
/// <c>vsl_tags_http.h</c> in their place), read through the C preprocessor for each release. Every release from 4.1
/// to 7.2 only appended tags, so one list serves them all; 7.3 removed <c>BackendReuse</c>, <c>Backend</c> and
/// <c>BackendStart</c> and changed the file magic at the same time (<c>VSL2</c>).
/// </summary>
internal static class VslBinaryTags
{
    private const string Common =
        "HttpGarbage Proxy ProxyGarbage ";

    private const string Http =
        "ReqMethod ReqURL ReqProtocol ReqStatus ReqReason ReqHeader ReqUnset ReqLost " +
        "RespMethod RespURL RespProtocol RespStatus RespReason RespHeader RespUnset RespLost " +
        "BereqMethod BereqURL BereqProtocol BereqStatus BereqReason BereqHeader BereqUnset BereqLost " +
        "BerespMethod BerespURL BerespProtocol BerespStatus BerespReason BerespHeader BerespUnset BerespLost " +
        "ObjMethod ObjURL ObjProtocol ObjStatus ObjReason ObjHeader ObjUnset ObjLost " +
        "BogoHeader LostHeader TTL Fetch_Body VCL_acl VCL_call VCL_trace VCL_return ReqStart Hit HitPass ExpBan ExpKill " +
        "WorkThread ESI_xmlerror Hash Backend_health VCL_Log VCL_Error Gzip Link Begin End VSL Storage Timestamp ReqAcct " +
        "PipeAcct BereqAcct VfpAcct Witness ";

    private const string Tail = "H2RxHdr H2RxBody H2TxHdr H2TxBody HitMiss Filters SessError VCL_use Notice VdpAcct";

    /// <summary>Varnish 4.1 to 7.2 (magic <c>VSL\0</c>).</summary>
    public static byte[][] Version2 { get; } = Split(
        "Debug Error CLI SessOpen SessClose BackendOpen BackendReuse BackendClose " + Common + "Backend Length FetchError " +
        Http + "BackendStart " + Tail);

    /// <summary>Varnish 7.3 and later (magic <c>VSL2</c>).</summary>
    public static byte[][] Version3 { get; } = Split(
        "Debug Error CLI SessOpen SessClose BackendOpen BackendClose " + Common + "Length FetchError " + Http + Tail);

    private static byte[][] Split(string names) =>
        names.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Encoding.ASCII.GetBytes).ToArray();
}
