using Opskit.ExecLog.Records;

namespace Opskit.ExecLog.Sinks;

/// <summary>The systemd journal's native socket: fields the journal indexes, arguments as raw bytes.</summary>
/// <param name="SocketPath">The journal socket.</param>
/// <param name="Priority">PRIORITY and SYSLOG_FACILITY.</param>
/// <param name="Identifier">SYSLOG_IDENTIFIER (what <c>journalctl -t</c> selects).</param>
internal sealed record JournalSink(string SocketPath, SyslogPriority Priority, string Identifier) : IRecordSink
{
    /// <summary>Where systemd-journald listens.</summary>
    public const string DefaultSocket = "/run/systemd/journal/socket";

    /// <inheritdoc />
    public string Name => "journal";

    /// <inheritdoc />
    public string? TryWrite(ExecRecord record) =>
        // A record larger than the socket takes (about 200 KiB of arguments) fails here and goes to the next
        // destination; the journal's memfd hand-over for big entries is not worth its cost for audit records.
        UnixDatagram.Send(SocketPath, RecordJournal.Datagram(record, Priority, Identifier));
}
