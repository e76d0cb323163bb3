namespace Opskit.Statsd.Configuration;

/// <summary>
/// Bounds of one TCP listener (beyond Etsy, issue 21): the longest line a connection may send (longer is a bad
/// line and closes the connection, its buffer returned), how long a connection may stay silent, and how many
/// may be open at once (more are closed on accept).
/// </summary>
internal sealed record TcpLimits(int MaxLineLength, int IdleTimeoutMs, int MaxConnections)
{
    /// <summary>TCP input: 64 KiB lines (a UDP datagram's maximum), 5 min idle, 1024 connections.</summary>
    public static TcpLimits InputDefaults { get; } = new(64 * 1024, 300_000, 1024);

    /// <summary>Management port: 64 KiB commands, 5 min idle, 64 connections.</summary>
    public static TcpLimits ManagementDefaults { get; } = new(64 * 1024, 300_000, 64);
}
