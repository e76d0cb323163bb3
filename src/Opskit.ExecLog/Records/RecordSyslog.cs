using System.Globalization;
using System.Text;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Records;

/// <summary>
/// The record as a syslog datagram for <c>/dev/log</c>: RFC 5424 with the fields as structured data
/// (<c>[execlog@32473 …]</c>, tags in <c>[tags@32473 …]</c>; 32473 is the documentation enterprise number of
/// RFC 5612) and the text line as the message, or the traditional RFC 3164 form for daemons that only read that.
/// </summary>
internal static class RecordSyslog
{
    /// <summary>Largest datagram sent; longer records are cut at a character boundary and end in "…".</summary>
    public const int MaxDatagram = 60 * 1024;

    private const string SdId = "execlog@32473";
    private const string TagsSdId = "tags@32473";

    /// <summary>RFC 5424: <c>&lt;PRI&gt;1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG</c>.</summary>
    public static byte[] Rfc5424(ExecRecord record, SyslogPriority priority, string appName)
    {
        ArgumentNullException.ThrowIfNull(record);
        var outcome = record.Outcome;
        var context = record.Context;
        var text = new StringBuilder(512);
        text.Append('<').Append(priority.Value).Append(">1 ")
            .Append(outcome.Started.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)).Append(' ')
            .Append(HeaderField(context.Host, 255)).Append(' ')
            .Append(HeaderField(appName, 48)).Append(' ')
            .Append(context.WrapperPid).Append(" exec ");
        text.Append('[').Append(SdId);
        Param(text, "result", record.Result);
        if (outcome.ExitCode is { } exit)
        {
            Param(text, "exit", exit.ToString(CultureInfo.InvariantCulture));
        }

        if (outcome.Signal is { } signal)
        {
            Param(text, "signal", SignalNames.Name(signal));
        }

        Param(text, "exit_status", outcome.WrapperExitCode.ToString(CultureInfo.InvariantCulture));
        if (record.Error is { } error)
        {
            Param(text, "error", error);
        }

        Param(text, "wall_s", RecordText.Seconds(outcome.Wall));
        Param(text, "cpu_user_s", RecordText.Seconds(outcome.UserCpu));
        Param(text, "cpu_sys_s", RecordText.Seconds(outcome.SystemCpu));
        if (outcome.StdoutBytes is { } stdout)
        {
            Param(text, "stdout_bytes", stdout.ToString(CultureInfo.InvariantCulture));
        }

        if (outcome.StderrBytes is { } stderr)
        {
            Param(text, "stderr_bytes", stderr.ToString(CultureInfo.InvariantCulture));
        }

        Param(text, "user", Escaped(context.User ?? "-"));
        Param(text, "uid", context.Uid.ToString(CultureInfo.InvariantCulture));
        Param(text, "ppid", context.ParentPid.ToString(CultureInfo.InvariantCulture));
        Param(text, "parent", Escaped(context.ParentName ?? "-"));
        Param(text, "cwd", Escaped(context.WorkingDirectory ?? "-"));
        Param(text, "pid", outcome.Pid.ToString(CultureInfo.InvariantCulture));
        if (record.DroppedBefore > 0)
        {
            Param(text, "dropped_before", record.DroppedBefore.ToString(CultureInfo.InvariantCulture));
        }

        Param(text, "command", ShellQuote.Line(record.Argv));
        if (outcome.FirstLine is { } first)
        {
            Param(text, "first_line", ShellQuote.Escaped(first));
        }

        text.Append(']');
        if (record.Tags.Count > 0)
        {
            text.Append('[').Append(TagsSdId);
            foreach (var (key, value) in record.Tags)
            {
                Param(text, key, Escaped(value));
            }

            text.Append(']');
        }

        text.Append(' ').Append(RecordText.Line(record));
        return Cut(text.ToString());
    }

    /// <summary>RFC 3164 as syslog(3) writes it to /dev/log: <c>&lt;PRI&gt;Mmm dd hh:mm:ss TAG[PID]: MSG</c>, local time.</summary>
    public static byte[] Rfc3164(ExecRecord record, SyslogPriority priority, string tag)
    {
        ArgumentNullException.ThrowIfNull(record);
        var local = record.Outcome.Started.ToLocalTime();
        var text = new StringBuilder(512);
        text.Append('<').Append(priority.Value).Append('>')
            .Append(local.ToString("MMM", CultureInfo.InvariantCulture)).Append(' ')
            .Append(local.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)).Append(' ')
            .Append(local.ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Append(' ')
            .Append(HeaderField(tag, 48)).Append('[').Append(record.Context.WrapperPid).Append("]: ")
            .Append(RecordText.Line(record));
        return Cut(text.ToString());
    }

    /// <summary>A structured-data parameter: the value escaped as RFC 5424 requires (<c>"</c>, <c>\</c>, <c>]</c>).</summary>
    private static void Param(StringBuilder text, string name, string value)
    {
        text.Append(' ').Append(name).Append("=\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\' or ']')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        text.Append('"');
    }

    /// <summary>Header fields are printable US-ASCII without spaces; anything else becomes '_'.</summary>
    private static string HeaderField(string value, int max)
    {
        if (value.Length == 0)
        {
            return "-";
        }

        var chars = new char[Math.Min(value.Length, max)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = value[i] is > ' ' and < (char)127 ? value[i] : '_';
        }

        return new string(chars);
    }

    private static string Escaped(string value) => ShellQuote.Escaped(Encoding.UTF8.GetBytes(value));

    private static byte[] Cut(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= MaxDatagram)
        {
            return bytes;
        }

        var end = MaxDatagram - 3;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80)
        {
            end--;
        }

        var cut = new byte[end + 3];
        bytes.AsSpan(0, end).CopyTo(cut);
        "…"u8.CopyTo(cut.AsSpan(end));
        return cut;
    }
}
