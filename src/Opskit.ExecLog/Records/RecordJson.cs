using System.Globalization;
using System.Text;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Records;

/// <summary>
/// The record as one JSON object on one line, newline-terminated (the JSON-lines destination). Every control
/// character is escaped, so a field can never break the line; <c>argv</c> holds the arguments decoded as
/// UTF-8 (U+FFFD for invalid bytes) and <c>command</c> the exact, shell-quoted command line.
/// </summary>
internal static class RecordJson
{
    /// <summary>UTF-8 bytes of the JSON line, '\n' included.</summary>
    public static byte[] Utf8Line(ExecRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var outcome = record.Outcome;
        var context = record.Context;
        var json = new StringBuilder(1024).Append('{');
        JsonText.String(JsonText.Name(json, "time"), outcome.Started.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        JsonText.String(JsonText.Name(json, "host"), context.Host);
        JsonText.String(JsonText.Name(json, "user"), context.User);
        JsonText.Number(JsonText.Name(json, "uid"), context.Uid);
        JsonText.Number(JsonText.Name(json, "ppid"), context.ParentPid);
        JsonText.String(JsonText.Name(json, "parent"), context.ParentName);
        JsonText.String(JsonText.Name(json, "cwd"), context.WorkingDirectory);
        JsonText.String(JsonText.Name(json, "command"), ShellQuote.Line(record.Argv));
        JsonText.Name(json, "argv").Append('[');
        for (var i = 0; i < record.Argv.Length; i++)
        {
            JsonText.String(i == 0 ? json : json.Append(','), Encoding.UTF8.GetString(record.Argv[i]));
        }

        json.Append(']');
        JsonText.String(JsonText.Name(json, "path"), record.ResolvedPath);
        JsonText.String(JsonText.Name(json, "result"), record.Result);
        JsonText.Number(JsonText.Name(json, "exit"), outcome.ExitCode);
        if (outcome.Signal is { } signal)
        {
            JsonText.String(JsonText.Name(json, "signal"), SignalNames.Name(signal));
            JsonText.Number(JsonText.Name(json, "signal_number"), signal);
            JsonText.Name(json, "core_dumped").Append(outcome.CoreDumped ? "true" : "false");
        }
        else
        {
            JsonText.Name(json, "signal").Append("null");
        }

        JsonText.Number(JsonText.Name(json, "exit_status"), outcome.WrapperExitCode);
        JsonText.String(JsonText.Name(json, "error"), record.Error);
        JsonText.Number(JsonText.Name(json, "pid"), outcome.Pid);
        JsonText.Number(JsonText.Name(json, "wrapper_pid"), context.WrapperPid);
        JsonText.Seconds(JsonText.Name(json, "wall_s"), outcome.Wall.TotalSeconds);
        JsonText.Seconds(JsonText.Name(json, "cpu_user_s"), outcome.UserCpu.TotalSeconds);
        JsonText.Seconds(JsonText.Name(json, "cpu_sys_s"), outcome.SystemCpu.TotalSeconds);
        JsonText.Number(JsonText.Name(json, "stdout_bytes"), outcome.StdoutBytes);
        JsonText.Number(JsonText.Name(json, "stderr_bytes"), outcome.StderrBytes);
        if (outcome.FirstLine is { } first)
        {
            JsonText.String(JsonText.Name(json, "first_line"), Encoding.UTF8.GetString(first));
            JsonText.Name(json, "first_line_truncated").Append(outcome.FirstLineTruncated ? "true" : "false");
        }
        else
        {
            JsonText.Name(json, "first_line").Append("null");
        }

        if (outcome.OutputCutOff)
        {
            JsonText.Name(json, "output_cut_off").Append("true");
        }

        JsonText.Name(json, "forwarded_signals").Append('[');
        for (var i = 0; i < outcome.ForwardedSignals.Count; i++)
        {
            JsonText.String(i == 0 ? json : json.Append(','), SignalNames.Name(outcome.ForwardedSignals[i]));
        }

        json.Append(']');
        JsonText.Name(json, "tags").Append('{');
        foreach (var (key, value) in record.Tags)
        {
            JsonText.String(JsonText.Name(json, key), value);
        }

        json.Append('}');
        JsonText.Number(JsonText.Name(json, "dropped_before"), record.DroppedBefore);
        json.Append("}\n");
        return Encoding.UTF8.GetBytes(json.ToString());
    }
}
