using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Records;

/// <summary>
/// The record in the systemd journal's native protocol: one datagram of <c>FIELD=value</c> lines, with the
/// length-prefixed binary form for a value that holds a newline. Arguments go in one <c>EXECLOG_ARG</c>
/// field each, as raw bytes (the journal keeps binary values), so nothing is lost to escaping there.
/// </summary>
internal static class RecordJournal
{
    /// <summary>The datagram for <paramref name="record"/>.</summary>
    public static byte[] Datagram(ExecRecord record, SyslogPriority priority, string identifier)
    {
        ArgumentNullException.ThrowIfNull(record);
        var outcome = record.Outcome;
        var context = record.Context;
        var buffer = new ArrayBufferWriter<byte>(1024);
        Field(buffer, "MESSAGE", RecordText.Line(record));
        Field(buffer, "PRIORITY", priority.Severity.ToString(CultureInfo.InvariantCulture));
        Field(buffer, "SYSLOG_FACILITY", priority.Facility.ToString(CultureInfo.InvariantCulture));
        Field(buffer, "SYSLOG_IDENTIFIER", identifier);
        Field(buffer, "EXECLOG_RESULT", record.Result);
        if (outcome.ExitCode is { } exit)
        {
            Field(buffer, "EXECLOG_EXIT", exit.ToString(CultureInfo.InvariantCulture));
        }

        if (outcome.Signal is { } signal)
        {
            Field(buffer, "EXECLOG_SIGNAL", SignalNames.Name(signal));
        }

        Field(buffer, "EXECLOG_EXIT_STATUS", outcome.WrapperExitCode.ToString(CultureInfo.InvariantCulture));
        if (record.Error is { } error)
        {
            Field(buffer, "EXECLOG_ERROR", error);
        }

        Field(buffer, "EXECLOG_COMMAND", ShellQuote.Line(record.Argv));
        foreach (var argument in record.Argv)
        {
            Field(buffer, "EXECLOG_ARG", argument);
        }

        if (record.ResolvedPath is { } path)
        {
            Field(buffer, "EXECLOG_PATH", path);
        }

        Field(buffer, "EXECLOG_PID", outcome.Pid.ToString(CultureInfo.InvariantCulture));
        Field(buffer, "EXECLOG_USER", context.User ?? "-");
        Field(buffer, "EXECLOG_UID", context.Uid.ToString(CultureInfo.InvariantCulture));
        Field(buffer, "EXECLOG_PPID", context.ParentPid.ToString(CultureInfo.InvariantCulture));
        Field(buffer, "EXECLOG_PARENT", context.ParentName ?? "-");
        Field(buffer, "EXECLOG_CWD", context.WorkingDirectory ?? "-");
        Field(buffer, "EXECLOG_WALL_S", RecordText.Seconds(outcome.Wall));
        Field(buffer, "EXECLOG_CPU_USER_S", RecordText.Seconds(outcome.UserCpu));
        Field(buffer, "EXECLOG_CPU_SYS_S", RecordText.Seconds(outcome.SystemCpu));
        if (outcome.StdoutBytes is { } stdout)
        {
            Field(buffer, "EXECLOG_STDOUT_BYTES", stdout.ToString(CultureInfo.InvariantCulture));
        }

        if (outcome.StderrBytes is { } stderr)
        {
            Field(buffer, "EXECLOG_STDERR_BYTES", stderr.ToString(CultureInfo.InvariantCulture));
        }

        if (outcome.FirstLine is { } first)
        {
            Field(buffer, "EXECLOG_FIRST_LINE", first);
        }

        if (record.DroppedBefore > 0)
        {
            Field(buffer, "EXECLOG_DROPPED_BEFORE", record.DroppedBefore.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var (key, value) in record.Tags)
        {
            Field(buffer, "EXECLOG_TAG_" + FieldName(key), value);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A journal field name from a tag key: upper case, anything but A-Z and 0-9 as '_'.</summary>
    public static string FieldName(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var chars = key.ToUpperInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is not (>= 'A' and <= 'Z' or >= '0' and <= '9'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static void Field(ArrayBufferWriter<byte> buffer, string name, string value) => Field(buffer, name, Encoding.UTF8.GetBytes(value));

    private static void Field(ArrayBufferWriter<byte> buffer, string name, ReadOnlySpan<byte> value)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name);
        buffer.Write(nameBytes);
        if (value.IndexOf((byte)'\n') < 0)
        {
            buffer.Write("="u8);
            buffer.Write(value);
        }
        else
        {
            buffer.Write("\n"u8);
            BinaryPrimitives.WriteUInt64LittleEndian(buffer.GetSpan(8), (ulong)value.Length);
            buffer.Advance(8);
            buffer.Write(value);
        }

        buffer.Write("\n"u8);
    }
}
