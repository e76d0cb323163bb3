using System.Globalization;
using System.Text;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Records;

/// <summary>
/// The record as one human-readable line of <c>key=value</c> pairs, the message of the syslog and journal
/// entries and the stderr destination. Every value that comes from outside (arguments, first line, working
/// directory, parent name, tags) goes through <see cref="ShellQuote"/>, so the line holds no control
/// character and the command can be pasted back into bash.
/// </summary>
internal static class RecordText
{
    /// <summary>Renders <paramref name="record"/>; the command comes last but one and the first line last, since they are the longest.</summary>
    public static string Line(ExecRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var outcome = record.Outcome;
        var context = record.Context;
        var text = new StringBuilder(256);
        if (record.Error is { } error)
        {
            text.Append("exit=").Append(outcome.WrapperExitCode).Append(" error=").Append(ShellQuote.Word(Encoding.UTF8.GetBytes(error)));
        }
        else if (outcome.Signal is { } signal)
        {
            text.Append("signal=").Append(SignalNames.Name(signal)).Append(" exit=").Append(outcome.WrapperExitCode);
            if (outcome.CoreDumped)
            {
                text.Append(" core=yes");
            }
        }
        else
        {
            text.Append("exit=").Append(outcome.ExitCode);
        }

        text.Append(" wall=").Append(Seconds(outcome.Wall)).Append('s');
        text.Append(" cpu=").Append(Seconds(outcome.UserCpu + outcome.SystemCpu)).Append('s');
        text.Append(" out=").Append(Count(outcome.StdoutBytes));
        text.Append(" err=").Append(Count(outcome.StderrBytes));
        text.Append(" user=").Append(Word(context.User ?? "-")).Append(" uid=").Append(context.Uid);
        text.Append(" parent=").Append(Word(context.ParentName ?? "-")).Append('[').Append(context.ParentPid).Append(']');
        text.Append(" cwd=").Append(Word(context.WorkingDirectory ?? "-"));
        if (outcome.ForwardedSignals.Count > 0)
        {
            text.Append(" forwarded=");
            for (var i = 0; i < outcome.ForwardedSignals.Count; i++)
            {
                text.Append(i == 0 ? string.Empty : ",").Append(SignalNames.Name(outcome.ForwardedSignals[i]));
            }
        }

        if (record.DroppedBefore > 0)
        {
            text.Append(" dropped_before=").Append(record.DroppedBefore);
        }

        foreach (var (key, value) in record.Tags)
        {
            text.Append(" tag:").Append(key).Append('=').Append(Word(value));
        }

        text.Append(" cmd=[").Append(ShellQuote.Line(record.Argv)).Append(']');
        if (outcome.FirstLine is { } first)
        {
            text.Append(" first_line=").Append(ShellQuote.Word(first));
        }

        return text.ToString();
    }

    /// <summary>Seconds with microsecond precision, invariant culture.</summary>
    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.000###", CultureInfo.InvariantCulture);

    private static string Count(long? bytes) => bytes is { } value ? value.ToString(CultureInfo.InvariantCulture) : "-";

    private static string Word(string value) => ShellQuote.Word(Encoding.UTF8.GetBytes(value));
}
