using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Opskit.Cluster.Diagnostics;
using Opskit.Cluster.Embeddings;
using Opskit.Core.Hosting;
using Scalar.AspNetCore;

namespace Opskit.Cluster.Http;

/// <summary>Composes the web host: options → model runtime → Kestrel, endpoints, OpenAPI and docs.</summary>
internal static class ClusterServer
{
    /// <summary>Builds (does not start) the service.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="loader">Model source; tests inject a slow one.</param>
    /// <param name="loggerFactory">Shared factory (<c>opskit up</c>) or null for Opskit's console format.</param>
    /// <param name="embedded">True under <c>opskit up</c>: no console lifetime or signal handlers of our own.</param>
    public static WebApplication Build(ClusterOptions options, IModelLoader? loader = null, ILoggerFactory? loggerFactory = null, bool embedded = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(ClusterServer).Assembly.GetName().Name });
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
        });
        builder.Logging.AddOpskitConsole();
        // One line per request would be logging per packet; request counts and statuses are in /metrics.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (loggerFactory is not null)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        }

        if (embedded)
        {
            builder.Services.AddCallerOwnedLifetime();
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(loader ?? (options.ModelDirectory is { } dir ? new ModelDirectory(dir) : new MiniLmResources()));
        builder.Services.AddSingleton<ClusterMetrics>();
        builder.Services.AddSingleton<EmbeddingRuntime>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EmbeddingRuntime>());
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "opskit cluster";
            document.Info.Description = "Sentence embeddings (all-MiniLM-L6-v2 on ONNX Runtime) with dynamic batching, and clustering by meaning.";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseStatusCodePages();
        var metrics = app.Services.GetRequiredService<ClusterMetrics>();
        app.Use(async (context, next) =>
        {
            await next(context).ConfigureAwait(false);
            var endpoint = context.GetEndpoint() is RouteEndpoint route ? route.RoutePattern.RawText ?? "other" : "other";
            metrics.RequestCompleted(endpoint, context.Response.StatusCode);
        });
        ClusterEndpoints.Map(app);
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", scalar => scalar.WithTitle("opskit cluster"));
        return app;
    }

    /// <summary>The addresses Kestrel actually bound (after start), e.g. http://127.0.0.1:8000.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        [.. app.Urls];
}
