using Microsoft.Extensions.Logging;

namespace Opskit.Statsd;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "server is up")]
    public static partial void ServerIsUp(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "reading config file: {Path}")]
    public static partial void ReadingConfig(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "config reload failed, keeping the running configuration: {Reason}")]
    public static partial void ReloadFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping: no longer receiving, final flush to every backend")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "statsd cannot start: {Reason}")]
    public static partial void StartFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "statsd cannot start: {Reason} (another process holds the address, or it is not this host's: stop the other process or set another address/port in the config)")]
    public static partial void ListenFailed(ILogger logger, string reason);
}
