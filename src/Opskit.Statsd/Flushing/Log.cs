using Microsoft.Extensions.Logging;

namespace Opskit.Statsd.Flushing;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "backend {Backend} failed to flush")]
    public static partial void BackendFailed(ILogger logger, string backend, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "backend {Backend} is behind: dropped the oldest waiting flush ({Dropped} flushes, {DroppedBytes} bytes dropped so far; queue bound {MaxFlushes} flushes, {MaxBytes} bytes)")]
    public static partial void BackendQueueFull(ILogger logger, string backend, long dropped, long droppedBytes, int maxFlushes, long maxBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "backend {Backend} did not finish the final flush within {Timeout}")]
    public static partial void FinalFlushTimedOut(ILogger logger, string backend, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "flushed {Counters} counters, {Timers} timers, {Gauges} gauges, {Sets} sets")]
    public static partial void Flushed(ILogger logger, int counters, int timers, int gauges, int sets);
}
