using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Opskit.Cluster.Clustering;
using Opskit.Cluster.Diagnostics;
using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Http;

/// <summary>The HTTP API: routes, request validation, and JSON written straight to the response pipe.</summary>
internal static class ClusterEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => TypedResults.Text("live\n"))
            .WithSummary("Liveness: 200 as soon as the process serves HTTP.").ExcludeFromDescription();
        app.MapGet("/health/ready", Ready)
            .WithSummary("Readiness: 503 until the model is loaded and warmed up, then 200.")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapPost("/cluster", Cluster)
            .WithSummary("Group sentences by meaning.")
            .Accepts<ClusterRequest>("application/json").Produces<ClusterResponse>()
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(429).ProducesProblem(503);
        app.MapPost("/embed", Embed)
            .WithSummary("Embed sentences (Text Embeddings Inference style): array of unit vectors.")
            .Accepts<EmbedRequest>("application/json").Produces<float[][]>()
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(429).ProducesProblem(503);
        app.MapPost("/v1/embeddings", OpenAiEmbeddings)
            .WithSummary("Embed sentences (OpenAI compatible, float or base64).")
            .Accepts<OpenAiEmbeddingRequest>("application/json").Produces<OpenAiEmbeddingResponse>()
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(429).ProducesProblem(503);
        app.MapPost("/similarity", Similarity)
            .WithSummary("Cosine similarity of one source sentence with each of a list.")
            .Accepts<SimilarityRequest>("application/json").Produces<float[]>()
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(429).ProducesProblem(503);
        app.MapGet("/info", Info).WithSummary("Model and batching limits.").Produces<InfoResponse>();
        app.MapGet("/metrics", (ClusterMetrics metrics) => TypedResults.Text(metrics.WritePrometheus(), "text/plain; version=0.0.4"))
            .WithSummary("Prometheus metrics.");
    }

    private static IResult Ready(EmbeddingRuntime runtime, HttpContext context) =>
        runtime.IsReady
            ? TypedResults.Text("ready\n")
            : Problems.RetryLater(context, StatusCodes.Status503ServiceUnavailable, "Not ready", "the model is still loading or warming up", 1);

    private static IResult Info(EmbeddingRuntime runtime, ClusterOptions options)
    {
        var model = runtime.Batcher?.Model;
        return TypedResults.Json(new InfoResponse(
            model?.ModelId ?? options.ModelDirectory ?? MiniLmResources.ModelId,
            model?.Dimension ?? 0,
            options.Model.MaxTokens,
            options.MaxSentences,
            options.Batching.MaxBatchSize,
            options.Batching.TokenBudget,
            options.Batching.MaxWait.TotalMilliseconds,
            options.Batching.QueueCapacity,
            options.Model.IntraOpThreads,
            model is not null));
    }

    private static async Task<IResult> Cluster(HttpContext context, EmbeddingRuntime runtime, ClusterOptions options)
    {
        var (request, error) = await JsonRequest.ReadAsync(context, options.MaxBodyBytes).ConfigureAwait(false);
        if (request is null)
        {
            return error!;
        }

        using (request)
        {
            var root = request.Root;
            var sentences = Fields.Strings(root, "sentences", allowSingle: false, options.MaxSentences, out error);
            var algorithmName = error is null ? Fields.String(root, "algorithm", out error) : null;
            var threshold = error is null ? Fields.Number(root, "threshold", 0, 2, out error) : null;
            var minSize = error is null ? Fields.Integer(root, "min_cluster_size", 1, int.MaxValue, out error) : null;
            var k = error is null ? Fields.Integer(root, "k", 1, int.MaxValue, out error) : null;
            if (error is not null)
            {
                return error;
            }

            ClusteringAlgorithm algorithm;
            switch (algorithmName)
            {
                case null or "agglomerative":
                    algorithm = ClusteringAlgorithm.Agglomerative;
                    break;
                case "community":
                    algorithm = ClusteringAlgorithm.Community;
                    break;
                case "kmeans":
                    algorithm = ClusteringAlgorithm.KMeans;
                    if (k is null)
                    {
                        return Problems.BadField("k", "'k' is required when 'algorithm' is kmeans");
                    }

                    break;
                default:
                    return Problems.BadField("algorithm", $"'algorithm' must be agglomerative, community or kmeans, not '{algorithmName}'");
            }

            var parameters = new ClusteringParameters { Algorithm = algorithm, Threshold = (float?)threshold, MinClusterSize = minSize, K = k };
            var (job, refusal) = Enqueue(context, runtime, sentences!);
            if (job is null)
            {
                return refusal!;
            }

            try
            {
                await job.Completion.WaitAsync(context.RequestAborted).ConfigureAwait(false);
                var dimension = job.Dimension;
                var data = new float[sentences!.Count * dimension];
                for (var i = 0; i < sentences.Count; i++)
                {
                    job.Vector(i).CopyTo(data.AsSpan(i * dimension, dimension));
                }

                var result = SentenceClusterer.Cluster(new EmbeddingMatrix(data, sentences.Count, dimension), parameters);
                SetTimingHeaders(context, job);
                context.Response.ContentType = "application/json";
                using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
                writer.WriteStartObject();
                writer.WriteStartArray("clusters");
                foreach (var cluster in result.Clusters)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("size", cluster.Length);
                    writer.WriteString("representative", sentences[cluster[0]]);
                    writer.WriteStartArray("sentences");
                    foreach (var index in cluster)
                    {
                        writer.WriteStringValue(sentences[index]);
                    }

                    writer.WriteEndArray();
                    writer.WriteStartArray("indices");
                    foreach (var index in cluster)
                    {
                        writer.WriteNumberValue(index);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartArray("unclustered");
                foreach (var index in result.Unclustered)
                {
                    writer.WriteNumberValue(index);
                }

                writer.WriteEndArray();
                writer.WriteString("algorithm", algorithmName ?? "agglomerative");
                if (algorithm == ClusteringAlgorithm.KMeans)
                {
                    writer.WriteNull("threshold");
                }
                else
                {
                    writer.WriteNumber("threshold", parameters.EffectiveThreshold);
                }

                writer.WriteNumber("min_cluster_size", parameters.EffectiveMinClusterSize);
                if (k is null)
                {
                    writer.WriteNull("k");
                }
                else
                {
                    writer.WriteNumber("k", k.Value);
                }

                writer.WriteEndObject();
                await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                return Results.Empty;
            }
            finally
            {
                job.Release();
            }
        }
    }

    private static async Task<IResult> Embed(HttpContext context, EmbeddingRuntime runtime, ClusterOptions options)
    {
        var (request, error) = await JsonRequest.ReadAsync(context, options.MaxBodyBytes).ConfigureAwait(false);
        if (request is null)
        {
            return error!;
        }

        using (request)
        {
            var inputs = Fields.Strings(request.Root, "inputs", allowSingle: true, options.MaxSentences, out error);
            var normalize = error is null ? Fields.Boolean(request.Root, "normalize", out error) : null;
            var truncate = error is null ? Fields.Boolean(request.Root, "truncate", out error) : null;
            if (error is not null)
            {
                return error;
            }

            if (normalize == false)
            {
                return Problems.BadField("normalize", "only normalized (unit length) vectors are served; 'normalize' must be true or absent");
            }

            var (job, refusal) = Enqueue(context, runtime, inputs!, truncate ?? true);
            if (job is null)
            {
                return refusal!;
            }

            try
            {
                await job.Completion.WaitAsync(context.RequestAborted).ConfigureAwait(false);
                SetTimingHeaders(context, job);
                context.Response.ContentType = "application/json";
                using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
                writer.WriteStartArray();
                for (var i = 0; i < inputs!.Count; i++)
                {
                    WriteVector(writer, job.Vector(i));
                }

                writer.WriteEndArray();
                await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                return Results.Empty;
            }
            finally
            {
                job.Release();
            }
        }
    }

    private static async Task<IResult> OpenAiEmbeddings(HttpContext context, EmbeddingRuntime runtime, ClusterOptions options)
    {
        var (request, error) = await JsonRequest.ReadAsync(context, options.MaxBodyBytes).ConfigureAwait(false);
        if (request is null)
        {
            return error!;
        }

        using (request)
        {
            var inputs = Fields.Strings(request.Root, "input", allowSingle: true, options.MaxSentences, out error);
            var format = error is null ? Fields.String(request.Root, "encoding_format", out error) : null;
            var model = error is null ? Fields.String(request.Root, "model", out error) : null;
            if (error is not null)
            {
                return error;
            }

            if (format is not (null or "float" or "base64"))
            {
                return Problems.BadField("encoding_format", $"'encoding_format' must be float or base64, not '{format}'");
            }

            var (job, refusal) = Enqueue(context, runtime, inputs!);
            if (job is null)
            {
                return refusal!;
            }

            try
            {
                await job.Completion.WaitAsync(context.RequestAborted).ConfigureAwait(false);
                var tokens = 0;
                foreach (var ids in job.Tokens)
                {
                    tokens += ids.Length;
                }

                SetTimingHeaders(context, job);
                context.Response.ContentType = "application/json";
                using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
                writer.WriteStartObject();
                writer.WriteString("object", "list");
                writer.WriteStartArray("data");
                for (var i = 0; i < inputs!.Count; i++)
                {
                    writer.WriteStartObject();
                    writer.WriteString("object", "embedding");
                    writer.WriteNumber("index", i);
                    writer.WritePropertyName("embedding");
                    if (format == "base64")
                    {
                        // The OpenAI clients decode base64 as little-endian float32, which is the in-memory layout here.
                        writer.WriteBase64StringValue(MemoryMarshal.AsBytes(job.Vector(i)));
                    }
                    else
                    {
                        WriteVector(writer, job.Vector(i));
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteString("model", model ?? runtime.Batcher!.Model.ModelId);
                writer.WriteStartObject("usage");
                writer.WriteNumber("prompt_tokens", tokens);
                writer.WriteNumber("total_tokens", tokens);
                writer.WriteEndObject();
                writer.WriteEndObject();
                await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                return Results.Empty;
            }
            finally
            {
                job.Release();
            }
        }
    }

    private static async Task<IResult> Similarity(HttpContext context, EmbeddingRuntime runtime, ClusterOptions options)
    {
        var (request, error) = await JsonRequest.ReadAsync(context, options.MaxBodyBytes).ConfigureAwait(false);
        if (request is null)
        {
            return error!;
        }

        using (request)
        {
            // TEI nests the fields under "inputs"; a flat body is accepted too.
            var scope = request.Root;
            var prefix = string.Empty;
            if (scope.TryGetProperty("inputs", out var nested))
            {
                if (nested.ValueKind != JsonValueKind.Object)
                {
                    return Problems.BadField("inputs", "'inputs' must be an object with source_sentence and sentences");
                }

                scope = nested;
                prefix = "inputs.";
            }

            if (!scope.TryGetProperty("source_sentence", out var sourceElement) || sourceElement.ValueKind != JsonValueKind.String)
            {
                return Problems.BadField(prefix + "source_sentence", $"'{prefix}source_sentence' is required and must be a string");
            }

            var sentences = Fields.Strings(scope, "sentences", allowSingle: false, options.MaxSentences - 1, out error, prefix + "sentences");
            if (error is not null)
            {
                return error;
            }

            var all = new List<string>(sentences!.Count + 1) { sourceElement.GetString()! };
            all.AddRange(sentences);
            var (job, refusal) = Enqueue(context, runtime, all);
            if (job is null)
            {
                return refusal!;
            }

            try
            {
                await job.Completion.WaitAsync(context.RequestAborted).ConfigureAwait(false);
                SetTimingHeaders(context, job);
                context.Response.ContentType = "application/json";
                using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
                writer.WriteStartArray();
                for (var i = 1; i < all.Count; i++)
                {
                    writer.WriteNumberValue(VectorMath.Dot(job.Vector(0), job.Vector(i)));
                }

                writer.WriteEndArray();
                await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                return Results.Empty;
            }
            finally
            {
                job.Release();
            }
        }
    }

    /// <summary>Queues the sentences, or says why not: 503 while loading, 429 when the queue is full, 413 when a sentence is too long and truncation is off.</summary>
    private static (EmbeddingJob? Job, IResult? Error) Enqueue(HttpContext context, EmbeddingRuntime runtime, IReadOnlyList<string> sentences, bool truncate = true)
    {
        var batcher = runtime.Batcher;
        if (batcher is null)
        {
            return (null, Problems.RetryLater(context, StatusCodes.Status503ServiceUnavailable, "Not ready", "the model is still loading or warming up", 1));
        }

        var model = batcher.Model;
        var tokens = new int[sentences.Count][];
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!truncate && model.Tokenizer.CountTokens(sentences[i], model.MaxTokens + 1) > model.MaxTokens)
            {
                return (null, Problems.TooLarge($"inputs[{i}]", $"inputs[{i}] has more than {model.MaxTokens} tokens and 'truncate' is false"));
            }

            tokens[i] = model.Tokenize(sentences[i]);
        }

        try
        {
            return (batcher.Enqueue(tokens, context.RequestAborted), null);
        }
        catch (QueueFullException ex)
        {
            return (null, Problems.RetryLater(context, StatusCodes.Status429TooManyRequests, "Queue full", ex.Message, 1));
        }
    }

    private static void SetTimingHeaders(HttpContext context, EmbeddingJob job)
    {
        var queue = job.QueueTime.TotalMilliseconds;
        var compute = job.ComputeTime.TotalMilliseconds;
        var headers = context.Response.Headers;
        headers["X-Queue-Time-Ms"] = queue.ToString("F2", CultureInfo.InvariantCulture);
        headers["X-Compute-Time-Ms"] = compute.ToString("F2", CultureInfo.InvariantCulture);
        headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture, $"queue;dur={queue:F2}, compute;dur={compute:F2}");
    }

    private static void WriteVector(Utf8JsonWriter writer, ReadOnlySpan<float> vector)
    {
        writer.WriteStartArray();
        foreach (var value in vector)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }
}
