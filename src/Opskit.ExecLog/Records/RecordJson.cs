using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Records;

/// <summary>
/// The record as one JSON object on one line, newline-terminated (the JSON-lines destination). JSON escapes
/// every control character, so a field can never break the line; <c>argv</c> holds the arguments decoded as
/// UTF-8 (U+FFFD for invalid bytes) and <c>command</c> the exact, shell-quoted command line.
/// </summary>
internal static class RecordJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>UTF-8 bytes of the JSON line, '\n' included.</summary>
    public static byte[] Utf8Line(ExecRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            Write(json, record);
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter json, ExecRecord record)
    {
        var outcome = record.Outcome;
        var context = record.Context;
        json.WriteStartObject();
        json.WriteString("time", outcome.Started.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("host", context.Host);
        json.WriteString("user", context.User);
        json.WriteNumber("uid", context.Uid);
        json.WriteNumber("ppid", context.ParentPid);
        json.WriteString("parent", context.ParentName);
        json.WriteString("cwd", context.WorkingDirectory);
        json.WriteString("command", ShellQuote.Line(record.Argv));
        json.WriteStartArray("argv");
        foreach (var argument in record.Argv)
        {
            json.WriteStringValue(Encoding.UTF8.GetString(argument));
        }

        json.WriteEndArray();
        json.WriteString("path", record.ResolvedPath);
        json.WriteString("result", record.Result);
        WriteNullable(json, "exit", outcome.ExitCode);
        if (outcome.Signal is { } signal)
        {
            json.WriteString("signal", SignalNames.Name(signal));
            json.WriteNumber("signal_number", signal);
            json.WriteBoolean("core_dumped", outcome.CoreDumped);
        }
        else
        {
            json.WriteNull("signal");
        }

        json.WriteNumber("exit_status", outcome.WrapperExitCode);
        json.WriteString("error", record.Error);
        json.WriteNumber("pid", outcome.Pid);
        json.WriteNumber("wrapper_pid", context.WrapperPid);
        json.WriteNumber("wall_s", Math.Round(outcome.Wall.TotalSeconds, 6));
        json.WriteNumber("cpu_user_s", Math.Round(outcome.UserCpu.TotalSeconds, 6));
        json.WriteNumber("cpu_sys_s", Math.Round(outcome.SystemCpu.TotalSeconds, 6));
        WriteNullable(json, "stdout_bytes", outcome.StdoutBytes);
        WriteNullable(json, "stderr_bytes", outcome.StderrBytes);
        if (outcome.FirstLine is { } first)
        {
            json.WriteString("first_line", Encoding.UTF8.GetString(first));
            json.WriteBoolean("first_line_truncated", outcome.FirstLineTruncated);
        }
        else
        {
            json.WriteNull("first_line");
        }

        if (outcome.OutputCutOff)
        {
            json.WriteBoolean("output_cut_off", true);
        }

        json.WriteStartArray("forwarded_signals");
        foreach (var forwarded in outcome.ForwardedSignals)
        {
            json.WriteStringValue(SignalNames.Name(forwarded));
        }

        json.WriteEndArray();
        json.WriteStartObject("tags");
        foreach (var (key, value) in record.Tags)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteNumber("dropped_before", record.DroppedBefore);
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
