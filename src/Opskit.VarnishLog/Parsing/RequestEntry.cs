using System.Text;

namespace Opskit.VarnishLog.Parsing;

/// <summary>An immutable copy of a <see cref="RequestRecord"/>, for code that keeps requests (tests, tools on top).</summary>
internal sealed record RequestEntry(
    long Vxid,
    string Client,
    string RemoteIp,
    string Method,
    string Url,
    string Protocol,
    Handling Handling,
    int Status,
    string Reason,
    double TotalMs,
    double ProcessMs,
    double StartTime,
    long BodyBytes,
    IReadOnlyList<string> RequestHeaders,
    IReadOnlyList<string> ResponseHeaders)
{
    /// <summary>Copies the fields of <paramref name="record"/>.</summary>
    public static RequestEntry From(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new RequestEntry(
            record.Vxid,
            Text(record, record.Client),
            Text(record, record.RemoteIp),
            Text(record, record.Method),
            Text(record, record.Url),
            Text(record, record.Protocol),
            record.Handling,
            record.Status,
            Text(record, record.Reason),
            record.TotalMs,
            record.ProcessMs,
            record.StartTime,
            record.BodyBytes,
            record.RequestHeaders.Select(h => Text(record, h)).ToArray(),
            record.ResponseHeaders.Select(h => Text(record, h)).ToArray());
    }

    private static string Text(RequestRecord record, Slice slice) => Encoding.UTF8.GetString(record[slice]);
}
