namespace Opskit.VarnishLog.Parsing;

/// <summary>Receives each finished client request; the record is reused after the call returns.</summary>
internal interface IRequestSink
{
    void OnRequest(RequestRecord record);
}
