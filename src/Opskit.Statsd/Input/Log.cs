using Microsoft.Extensions.Logging;

namespace Opskit.Statsd.Input;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "UDP receive buffer on {Endpoint} is {Effective} bytes, {Requested} requested: the kernel caps it at net.core.rmem_max. Raise it (sysctl -w net.core.rmem_max={Requested}) or run as root (SO_RCVBUFFORCE) to absorb bursts without drops")]
    public static partial void ReceiveBufferCapped(ILogger logger, string endpoint, int effective, int requested);

    [LoggerMessage(Level = LogLevel.Error, Message = "UDP receive loop on {Endpoint} failed; it stops")]
    public static partial void ReceiveLoopFailed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TCP connection from {Remote} failed")]
    public static partial void TcpConnectionFailed(ILogger logger, string remote, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "a packet made the parser fail; it was counted as a bad line (logged once per 10,000)")]
    public static partial void ParserFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "listening for statsd {Protocol} on {Endpoint} ({Readers} receive loops)")]
    public static partial void Listening(ILogger logger, string protocol, string endpoint, int readers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TCP connection from {Remote} closed: a line longer than {Max} bytes (tcpMaxLineLength) was counted as a bad line (logged once per 1,000)")]
    public static partial void TcpLineTooLong(ILogger logger, string remote, int max);

    [LoggerMessage(Level = LogLevel.Debug, Message = "TCP connection from {Remote} closed after {IdleMs} ms without data (tcpIdleTimeout)")]
    public static partial void TcpIdleClosed(ILogger logger, string remote, int idleMs);
}
