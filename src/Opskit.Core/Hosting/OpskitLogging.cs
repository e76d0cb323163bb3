using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Opskit.Core.Hosting;

/// <summary>The one log format every Opskit tool uses: one line per event, UTC timestamp, category.</summary>
public static class OpskitLogging
{
    /// <summary>Replaces the providers of <paramref name="logging"/> with Opskit's console format.</summary>
    public static ILoggingBuilder AddOpskitConsole(this ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        });

        // Per-request framework logs would drown the services' own lines (and cost time on hot
        // paths); the services log what matters themselves, access logs included.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        return logging;
    }

    /// <summary>A logger factory in Opskit's format, for hosts that are not built with the Generic Host.</summary>
    public static ILoggerFactory CreateFactory(LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(builder => builder.AddOpskitConsole().SetMinimumLevel(minimum));
}
