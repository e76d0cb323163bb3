using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
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
    public static WebApplication Build(ClusterOptions options, IModelLoader? loader = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = OpskitWebHost.CreateBuilder(new OpskitWebHostOptions
        {
            ApplicationName = typeof(ClusterServer).Assembly.GetName().Name,
            LoggerFactory = loggerFactory,
            MaxRequestBodySize = options.MaxBodyBytes,
        });
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(loader ?? (options.ModelDirectory is { } dir ? new ModelDirectory(dir) : new MiniLmResources()));
        builder.Services.AddSingleton<ClusterMetrics>();
        builder.Services.AddSingleton<EmbeddingRuntime>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EmbeddingRuntime>());
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "opskit cluster";
            document.Info.Description = "Sentence embeddings (all-MiniLM-L6-v2 on ONNX Runtime) with dynamic batching, and clustering by meaning.";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        var clientErrors = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClientErrors).FullName!);
        app.Use((context, next) => ClientErrors.Handle(context, next, clientErrors));
        app.UseStatusCodePages(StatusPage);
        var metrics = app.Services.GetRequiredService<ClusterMetrics>();
        app.Use(async (context, next) =>
        {
            await next(context).ConfigureAwait(false);
            var endpoint = context.GetEndpoint() is RouteEndpoint route ? route.RoutePattern.RawText ?? "other" : "other";
            metrics.RequestCompleted(endpoint, context.Response.StatusCode);
        });
        ClusterEndpoints.Map(app);
        app.MapOpenApi("/openapi/{documentName}.json");
        // Where FastAPI serves it, which is where its users look first.
        app.MapOpenApi("/openapi.json");
        app.MapScalarApiReference("/docs", scalar => scalar.WithTitle("opskit cluster"));
        return app;
    }

    /// <summary>
    /// The body of an error status that no endpoint wrote (routing's 404, 405, 415): a problem document with a
    /// <c>detail</c> that says what to change.
    /// </summary>
    private static Task StatusPage(StatusCodeContext status)
    {
        var context = status.HttpContext;
        var code = context.Response.StatusCode;
        var detail = code switch
        {
            StatusCodes.Status415UnsupportedMediaType =>
                $"the body must be JSON: send the header 'Content-Type: application/json' (got '{context.Request.ContentType ?? "none"}')",
            StatusCodes.Status404NotFound => $"no endpoint at {context.Request.Path}; the API is listed at /openapi.json and /docs",
            StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path}; the API is listed at /openapi.json",
            _ => null,
        };
        return TypedResults.Problem(detail: detail, statusCode: code, title: Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code)).ExecuteAsync(context);
    }

    /// <summary>The addresses Kestrel actually bound (after start), e.g. http://127.0.0.1:8000.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        [.. app.Urls];
}
