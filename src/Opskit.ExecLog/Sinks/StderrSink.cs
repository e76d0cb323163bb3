using System.Text;
using Opskit.ExecLog.Records;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Sinks;

/// <summary>The text line on the wrapper's standard error, after everything the command wrote there.</summary>
internal sealed unsafe class StderrSink : IRecordSink
{
    /// <inheritdoc />
    public string Name => "stderr";

    /// <inheritdoc />
    public string? TryWrite(ExecRecord record)
    {
        var line = Encoding.UTF8.GetBytes("opskit execlog: " + RecordText.Line(record) + "\n");
        fixed (byte* data = line)
        {
            var offset = 0;
            while (offset < line.Length)
            {
                var written = Native.Write(2, data + offset, line.Length - offset);
                if (written < 0)
                {
                    if (Native.Errno == Native.EINTR)
                    {
                        continue;
                    }

                    return Native.Describe(Native.Errno);
                }

                offset += (int)written;
            }
        }

        return null;
    }
}
