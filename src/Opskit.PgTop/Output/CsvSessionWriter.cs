using System.Globalization;
using System.Text;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Output;

/// <summary>One CSV row per session (RFC 4180 quoting), the server's name in the first column.</summary>
internal static class CsvSessionWriter
{
    public const string Header = "server,pid,leader_pid,backend_type,database,user,application,client,state,wait_event_type,wait_event,xact_age_s,query_age_s,backend_age_s,query_id,blocked_by,slow,query";

    public static void WriteRows(TextWriter writer, string server, IReadOnlyList<Session> sessions, double slowThreshold)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sessions);
        var line = new StringBuilder(256);
        foreach (var s in sessions)
        {
            line.Clear();
            Field(line, server).Append(',');
            line.Append(s.Pid.ToString(CultureInfo.InvariantCulture)).Append(',');
            line.Append(s.LeaderPid?.ToString(CultureInfo.InvariantCulture)).Append(',');
            Field(line, s.BackendType).Append(',');
            Field(line, s.Database).Append(',');
            Field(line, s.User).Append(',');
            Field(line, s.Application).Append(',');
            Field(line, s.Client).Append(',');
            Field(line, s.State).Append(',');
            Field(line, s.WaitEventType).Append(',');
            Field(line, s.WaitEvent).Append(',');
            line.Append(Seconds(s.XactAgeSeconds)).Append(',');
            line.Append(Seconds(s.QueryAgeSeconds)).Append(',');
            line.Append(Seconds(s.BackendAgeSeconds)).Append(',');
            line.Append(s.QueryId?.ToString(CultureInfo.InvariantCulture)).Append(',');
            Field(line, string.Join(' ', s.BlockedBy)).Append(',');
            line.Append(s.IsSlow(slowThreshold) ? "true" : "false").Append(',');
            Field(line, s.Query);
            writer.WriteLine(line);
        }
    }

    private static string? Seconds(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture);

    private static StringBuilder Field(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return line;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return line.Append(value);
        }

        return line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
