using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Opskit.Edge.Tests.Support;

/// <summary>Keeps every log line so tests can count them (e.g. "logs once per state change").</summary>
internal sealed class ListLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception)));

    public int Count(LogLevel level) => Entries.Count(e => e.Level == level);
}
