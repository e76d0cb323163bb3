using Opskit.ExecLog.Records;

namespace Opskit.ExecLog.Sinks;

/// <summary>Syslog through a local datagram socket (<c>/dev/log</c>), RFC 5424 or RFC 3164.</summary>
/// <param name="SocketPath">The syslog socket.</param>
/// <param name="Priority">Facility and severity.</param>
/// <param name="AppName">APP-NAME (RFC 5424) or TAG (RFC 3164).</param>
/// <param name="Legacy">True for RFC 3164.</param>
internal sealed record SyslogSink(string SocketPath, SyslogPriority Priority, string AppName, bool Legacy) : IRecordSink
{
    /// <summary>The usual socket.</summary>
    public const string DefaultSocket = "/dev/log";

    /// <inheritdoc />
    public string Name => "syslog";

    /// <inheritdoc />
    public string? TryWrite(ExecRecord record)
    {
        var datagram = Legacy ? RecordSyslog.Rfc3164(record, Priority, AppName) : RecordSyslog.Rfc5424(record, Priority, AppName);
        return UnixDatagram.Send(SocketPath, datagram);
    }
}
