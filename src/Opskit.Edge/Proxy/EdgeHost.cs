using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Opskit.Core.Hosting;
using Opskit.Edge.Caching;
using Opskit.Edge.Configuration;
using Opskit.Edge.Http;

namespace Opskit.Edge.Proxy;

/// <summary>How to build one proxy host.</summary>
/// <param name="Configure">Adds the configuration sources (the JSON file, or in-memory settings for <c>opskit up</c> and tests).</param>
/// <param name="LoggerFactory">A shared logger factory (<c>opskit up</c>); null for Opskit's console format.</param>
/// <param name="Time">Clock for TTLs and probes; tests pass a fake one.</param>
internal sealed record EdgeHostSettings(Action<IConfigurationBuilder> Configure, ILoggerFactory? LoggerFactory = null, TimeProvider? Time = null);

/// <summary>
/// Composes the proxy: options → cache, profile stores, probes → Kestrel with two middlewares (PURGE/BAN and the
/// fresh-hit fast path) in front of YARP, whose proxy pipeline runs the gate and cache before forwarding.
/// </summary>
internal static partial class EdgeHost
{
    public static WebApplication Build(EdgeHostSettings settings)
    {
        var builder = OpskitWebHost.CreateBuilder(new OpskitWebHostOptions { LoggerFactory = settings.LoggerFactory });
        builder.Configuration.Sources.Clear();
        settings.Configure(builder.Configuration);

        // YARP logs every proxied request at Information; a proxy must not write a line per request.
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);

        var edgeSection = builder.Configuration.GetSection(EdgeOptions.Section);
        var startOptions = edgeSection.Get<EdgeOptions>() ?? new EdgeOptions();

        // Validated here and on every reload by EdgeRuntime, not by IValidateOptions: a validator that throws inside
        // the file-reload callback would take the process down instead of keeping the previous configuration.
        var errors = EdgeOptionsValidation.Errors(startOptions);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(EdgeOptions.Section, typeof(EdgeOptions), errors);
        }

        // Kestrel endpoints from Edge:Listen/AdminListen, rebound on reload (see ListenEndpoints).
        var endpoints = new ListenEndpoints(startOptions.Listen, startOptions.AdminListen);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Configure(endpoints.Configuration, reloadOnChange: true);
        });

        builder.Services.AddSingleton(endpoints);
        builder.Services.AddSingleton(settings.Time ?? TimeProvider.System);
        builder.Services.AddOptions<EdgeOptions>().Bind(edgeSection);
        builder.Services.AddSingleton<EdgeMetrics>();
        builder.Services.AddSingleton<EdgeRuntime>();
        builder.Services.AddSingleton(_ => new HttpCache((long)startOptions.Cache.SizeLimitMegabytes << 20));
        builder.Services.AddSingleton(sp => new UpstreamFetcher(
            TimeSpan.FromSeconds(startOptions.Upstream.ConnectTimeoutSeconds),
            TimeSpan.FromSeconds(startOptions.Upstream.FirstByteTimeoutSeconds),
            startOptions.Cache.MaxObjectKilobytes * 1024,
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(_ => new AccessLog(startOptions.AccessLog));
        builder.Services.AddSingleton<HealthProbes>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthProbes>());
        builder.Services.AddSingleton<EdgeRequestHandler>();
        builder.Services.AddSingleton<PurgeHandler>();
        builder.Services.AddSingleton<AdminEndpoints>();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .ConfigureHttpClient((_, handler) =>
            {
                handler.ConnectTimeout = TimeSpan.FromSeconds(startOptions.Upstream.ConnectTimeoutSeconds);
                handler.UseCookies = false;
            });

        var app = builder.Build();
        var configLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Opskit.Edge.Configuration");
        foreach (var source in builder.Configuration.Sources)
        {
            if (source is ValidatedJsonFile file)
            {
                file.Rejected += reason => LogFileRejected(configLogger, reason);
            }
        }

        LogLifecycle(app);
        var purge = app.Services.GetRequiredService<PurgeHandler>();
        var handler = app.Services.GetRequiredService<EdgeRequestHandler>();
        var admin = app.Services.GetRequiredService<AdminEndpoints>();
        var runtime = app.Services.GetRequiredService<EdgeRuntime>();
        app.Use((context, next) =>
            runtime.Current.AdminPort is var adminPort && adminPort != 0 && context.Connection.LocalPort == adminPort ? admin.HandleAsync(context)
            : purge.TryHandle(context) ?? handler.TryServeFast(context) ?? ServerWideOptions.TryHandle(context) ?? next(context));

        // Explicit, so routing runs after the fast path (WebApplication would otherwise put it first).
        app.UseRouting();
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use((context, next) => handler.HandleAsync(context, next));
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        return app;
    }

    /// <summary>Says when the proxy listens, stops and has stopped; nothing about stopping when it never started.</summary>
    private static void LogLifecycle(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Opskit.Edge");
        var lifetime = app.Lifetime;
        var started = 0;
        lifetime.ApplicationStarted.Register(() =>
        {
            Volatile.Write(ref started, 1);
            LogListening(logger, string.Join(", ", app.Urls));
        });
        lifetime.ApplicationStopping.Register(() =>
        {
            if (Volatile.Read(ref started) == 1)
            {
                LogStopping(logger);
            }
        });
        lifetime.ApplicationStopped.Register(() =>
        {
            if (Volatile.Read(ref started) == 1)
            {
                LogStopped(logger);
            }
        });
    }

    /// <summary>Bound addresses after start, e.g. <c>http://127.0.0.1:8080</c>.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) => [.. app.Urls];

    [LoggerMessage(Level = LogLevel.Information, Message = "edge: listening on {Urls}")]
    private static partial void LogListening(ILogger logger, string urls);

    [LoggerMessage(Level = LogLevel.Information, Message = "edge: stopping (finishing requests in flight)")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "edge: stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "edge: changed configuration file not applied, keeping the previous one: {Reason}")]
    private static partial void LogFileRejected(ILogger logger, string reason);
}
