using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Opskit.Core.Hosting;

/// <summary>How <see cref="OpskitWebHost.CreateBuilder"/> sets up a tool's web host.</summary>
public sealed class OpskitWebHostOptions
{
    /// <summary>The application name (the tool's assembly name), for the host's environment.</summary>
    public string? ApplicationName { get; init; }

    /// <summary>The factory the caller shares (<c>opskit up</c>), or null for Opskit's console format.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Kestrel's request body limit, or null for Kestrel's default (30 MB).</summary>
    public long? MaxRequestBodySize { get; init; }
}

/// <summary>
/// The one web host set-up of the HTTP tools (cluster, edge, statsd's Prometheus backend): the slim builder,
/// Opskit's log format and filters (or the caller's factory, reached after this host's filters), the caller's
/// lifetime (Ctrl-C and SIGTERM belong to the <c>opskit</c> command or <c>opskit up</c>, never to a host), Kestrel
/// without a <c>Server</c> header, and RFC 9457 problem details. A tool adds its endpoints, options and filters.
/// </summary>
public static class OpskitWebHost
{
    /// <summary>A builder with the shared set-up applied.</summary>
    public static WebApplicationBuilder CreateBuilder(OpskitWebHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = options.ApplicationName,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.AddOpskitConsole();
        // "Hosting failed to start" repeats, with a stack trace, the error the opskit command reports in one line;
        // a background service that stops the host is still logged (Critical).
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        if (options.LoggerFactory is { } shared)
        {
            // The caller's factory applies its own levels after this host's filters.
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(new ForwardingLoggerProvider(shared));
        }

        builder.Services.AddCallerOwnedLifetime();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (options.MaxRequestBodySize is { } max)
            {
                kestrel.Limits.MaxRequestBodySize = max;
            }
        });
        builder.Services.AddProblemDetails();
        return builder;
    }
}
