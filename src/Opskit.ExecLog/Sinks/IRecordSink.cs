using Opskit.ExecLog.Records;

namespace Opskit.ExecLog.Sinks;

/// <summary>A destination for records. A write never blocks for long and never throws: it succeeds or reports why not.</summary>
internal interface IRecordSink
{
    /// <summary>Short name for messages: journal, syslog, file, stderr.</summary>
    string Name { get; }

    /// <summary>Writes <paramref name="record"/>; null on success, else why it failed.</summary>
    string? TryWrite(ExecRecord record);
}
