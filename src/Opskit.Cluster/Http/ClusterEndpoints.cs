using System.Buffers;
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
            .WithSummary("Embed sentences (Text Embeddings Inference style): array of unit vectors, or raw mean-pooled vectors with normalize: false.")
            .Accepts<EmbedRequest>("application/json").Produces<float[][]>()
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(429).ProducesProblem(503);
        app.MapPost("/v1/embeddings", OpenAiEmbeddings)
            .WithSummary("Embed sentences or token-id arrays (OpenAI compatible: float or base64, optional dimensions).")
            .Accepts<OpenAiEmbeddingRequest>("application/json").Produces<OpenAiEmbeddingResponse>()
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(429).ProducesProblem(503);
        app.MapPost("/similarity", Similarity)
            .WithSummary("Cosine similarity of one source sentence with each of a list.")
            .Accepts<SimilarityRequest>("application/json").Produces<float[]>()
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(429).ProducesProblem(503);
        app.MapPost("/tokenize", TokenizeTexts)
            .WithSummary("Tokens of each input (Text Embeddings Inference style): id, text, special, and start/stop as character offsets into the input.")
            .Accepts<TokenizeRequest>("application/json").Produces<TokenizeToken[][]>()
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(503);
        app.MapPost("/decode", Decode)
            .WithSummary("Text of token ids (Text Embeddings Inference style): one string per id list.")
            .Accepts<DecodeRequest>("application/json").Produces<string[]>()
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(503);
        app.MapGet("/v1/models", Models)
            .WithSummary("The loaded model, in the shape of OpenAI's model list (the OpenAI clients and LangChain call it).")
            .Produces<OpenAiModelList>();
        app.MapGet("/info", Info).WithSummary("Model and batching limits.").Produces<InfoResponse>();
        app.MapGet("/metrics", (ClusterMetrics metrics) => TypedResults.Text(metrics.WritePrometheus(), Opskit.Core.Metrics.PrometheusTextBuilder.ContentType))
            .WithSummary("Prometheus metrics.");
    }

    private static IResult Ready(EmbeddingRuntime runtime, HttpContext context) =>
        runtime.IsReady
            ? TypedResults.Text("ready\n")
            : NotReady(context);

    private static async Task<IResult> TokenizeTexts(HttpContext context, EmbeddingRuntime runtime, ClusterOptions options)
    {
        var (request, error) = await JsonRequest.ReadAsync(context, options.MaxBodyBytes).ConfigureAwait(false);
        if (request is null)
        {
            return error!;
        }

        using (request)
        {
            var inputs = Fields.Strings(request.Root, "inputs", allowSingle: true, options.MaxSentences, out error);
            var special = error is null ? Fields.Boolean(request.Root, "add_special_tokens", out error) : null;
            if (error is not null)
            {
                return error;
            }

            if (runtime.Batcher?.Model.Tokenizer is not { } tokenizer)
            {
                return NotReady(context);
            }

            var result = new List<TokenizeToken[]>(inputs!.Count);
            foreach (var input in inputs)
            {
                // UTF-16 offsets to character (code point) offsets, as TEI and Python count them.
                var characterAt = new int[input.Length + 1];
                for (int i = 0, c = 0; i <= input.Length; i++)
                {
                    characterAt[i] = c;
                    if (i < input.Length && !(char.IsHighSurrogate(input[i]) && i + 1 < input.Length && char.IsLowSurrogate(input[i + 1])))
                    {
                        c++;
                    }
                }

                var spans = tokenizer.EncodeWithOffsets(input, special ?? true);
                var tokens = new TokenizeToken[spans.Count];
                for (var i = 0; i < tokens.Length; i++)
                {
                    var span = spans[i];
                    var text = span.Start == span.Stop ? tokenizer.TokenText(span.Id) ?? string.Empty : input[span.Start..span.Stop];
                    tokens[i] = new TokenizeToken(span.Id, text, span.Special, characterAt[span.Start], characterAt[span.Stop]);
                }

                result.Add(tokens);
            }

            return TypedResults.Json(result);
        }
    }

    private static async Task<IResult> Decode(HttpContext context, EmbeddingRuntime runtime, ClusterOptions options)
    {
        var (request, error) = await JsonRequest.ReadAsync(context, options.MaxBodyBytes).ConfigureAwait(false);
        if (request is null)
        {
            return error!;
        }

        using (request)
        {
            var model = runtime.Batcher?.Model;
            // The same id checks as /v1/embeddings' token-id input, under the field name 'ids'.
            if (!request.Root.TryGetProperty("ids", out var idsElement) || idsElement.ValueKind != JsonValueKind.Array)
            {
                return Problems.BadField("ids", "'ids' is required: an array of token ids or an array of token-id arrays");
            }

            var skip = Fields.Boolean(request.Root, "skip_special_tokens", out error);
            if (error is not null)
            {
                return error;
            }

            if (model is null)
            {
                return NotReady(context);
            }

            var lists = new List<int[]>();
            var nested = idsElement.GetArrayLength() > 0 && idsElement[0].ValueKind == JsonValueKind.Array;
            var outer = 0;
            IEnumerable<JsonElement> source = nested ? idsElement.EnumerateArray() : [idsElement];
            foreach (var list in source)
            {
                var path = nested ? $"ids[{outer}]" : "ids";
                if (list.ValueKind != JsonValueKind.Array)
                {
                    return Problems.BadField(path, $"'{path}' must be an array of token ids");
                }

                var ids = new int[list.GetArrayLength()];
                var index = 0;
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var id) || id < 0 || id >= model.Tokenizer.VocabularySize)
                    {
                        return Problems.BadField($"{path}[{index}]", $"'{path}[{index}]' must be a token id from 0 to {model.Tokenizer.VocabularySize - 1}");
                    }

                    ids[index++] = id;
                }

                lists.Add(ids);
                outer++;
            }

            var texts = new string[lists.Count];
            for (var i = 0; i < texts.Length; i++)
            {
                texts[i] = model.Tokenizer.Decode(lists[i], skip ?? true);
            }

            return TypedResults.Json(texts);
        }
    }

    private static IResult Models(EmbeddingRuntime runtime, ClusterOptions options) =>
        TypedResults.Json(new OpenAiModelList("list", [new OpenAiModel(ModelId(runtime, options), "model", StartedAt, "opskit")]));

    /// <summary>OpenAI's <c>created</c> is a Unix time; the model is as old as this process for the list's purposes.</summary>
    private static readonly long StartedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static string ModelId(EmbeddingRuntime runtime, ClusterOptions options) =>
        runtime.Batcher?.Model.ModelId ?? (options.ModelDirectory is { } dir ? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir))) : MiniLmResources.ModelId);

    private static IResult Info(EmbeddingRuntime runtime, ClusterOptions options)
    {
        var model = runtime.Batcher?.Model;
        return TypedResults.Json(new InfoResponse(
            model?.ModelId ?? options.ModelDirectory ?? MiniLmResources.ModelId,
            model?.Dimension ?? 0,
            model?.MaxTokens ?? options.Model.MaxTokens ?? (options.ModelDirectory is null ? MiniLmResources.Limits.Resolve() : 0),
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
        if (Refused(context, runtime) is { } refused)
        {
            return refused;
        }

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
            var batcher = runtime.Batcher;
            var tokens = Tokenize(context, batcher, sentences!, truncate: true, out error);
            if (tokens is null)
            {
                return error!;
            }

            return await RespondAsync(context, batcher!, tokens, (Sentences: sentences!, Parameters: parameters, Name: algorithmName ?? "agglomerative"), static (writer, job, state) =>
            {
                var (sentences, parameters, name) = state;
                var dimension = job.Dimension;
                var data = new float[sentences.Count * dimension];
                for (var i = 0; i < sentences.Count; i++)
                {
                    job.Vector(i).CopyTo(data.AsSpan(i * dimension, dimension));
                }

                var result = SentenceClusterer.Cluster(new EmbeddingMatrix(data, sentences.Count, dimension), parameters);
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
                writer.WriteString("algorithm", name);
                if (parameters.Algorithm == ClusteringAlgorithm.KMeans)
                {
                    writer.WriteNull("threshold");
                }
                else
                {
                    writer.WriteNumber("threshold", result.Threshold ?? parameters.EffectiveThreshold);
                }

                writer.WriteNumber("min_cluster_size", result.MinClusterSize);
                if (parameters.K is { } k)
                {
                    writer.WriteNumber("k", k);
                }
                else
                {
                    writer.WriteNull("k");
                }

                writer.WriteEndObject();
            }).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> Embed(HttpContext context, EmbeddingRuntime runtime, ClusterOptions options)
    {
        if (Refused(context, runtime) is { } refused)
        {
            return refused;
        }

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

            var batcher = runtime.Batcher;
            var tokens = Tokenize(context, batcher, inputs!, truncate ?? true, out error);
            if (tokens is null)
            {
                return error!;
            }

            return await RespondAsync(context, batcher!, tokens, normalize ?? true, static (writer, job, normalize) =>
            {
                writer.WriteStartArray();
                for (var i = 0; i < job.Tokens.Length; i++)
                {
                    // normalize:false is the raw pooled vector (for MiniLM the masked mean), as TEI returns it: unit vector × its pre-normalization norm.
                    WriteVector(writer, job.Vector(i), normalize ? 1f : job.Norm(i));
                }

                writer.WriteEndArray();
            }).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> OpenAiEmbeddings(HttpContext context, EmbeddingRuntime runtime, ClusterOptions options)
    {
        if (Refused(context, runtime) is { } refused)
        {
            return refused;
        }

        var (request, error) = await JsonRequest.ReadAsync(context, options.MaxBodyBytes).ConfigureAwait(false);
        if (request is null)
        {
            return error!;
        }

        using (request)
        {
            // One read of the batcher: token ids are checked against the vocabulary of the model they are queued to.
            var batcher = runtime.Batcher;
            var model = batcher?.Model;
            var (texts, ids) = OpenAiInput.Parse(request.Root, options.MaxSentences, model?.Tokenizer.VocabularySize ?? int.MaxValue, model?.MaxTokens ?? int.MaxValue, out error);
            var format = error is null ? Fields.String(request.Root, "encoding_format", out error) : null;
            var modelName = error is null ? Fields.String(request.Root, "model", out error) : null;
            var dimensions = error is null ? Fields.Integer(request.Root, "dimensions", 1, model?.Dimension ?? int.MaxValue, out error) : null;
            if (error is not null)
            {
                return error;
            }

            if (format is not (null or "float" or "base64"))
            {
                return Problems.BadField("encoding_format", $"'encoding_format' must be float or base64, not '{format}'");
            }

            var tokens = texts is null ? ids : Tokenize(context, batcher, texts, truncate: true, out error);
            if (tokens is null || batcher is null)
            {
                return error ?? NotReady(context);
            }

            var state = (Base64: format == "base64", Model: modelName ?? batcher.Model.ModelId, Dimensions: dimensions ?? batcher.Model.Dimension);
            return await RespondAsync(context, batcher, tokens, state, static (writer, job, state) =>
            {
                var tokenCount = 0;
                foreach (var sentence in job.Tokens)
                {
                    tokenCount += sentence.Length;
                }

                // Shortened embeddings (OpenAI's 'dimensions'): the first N components, re-normalized to unit length.
                var scratch = state.Base64 && state.Dimensions < job.Dimension ? ArrayPool<float>.Shared.Rent(state.Dimensions) : null;
                try
                {
                    writer.WriteStartObject();
                    writer.WriteString("object", "list");
                    writer.WriteStartArray("data");
                    for (var i = 0; i < job.Tokens.Length; i++)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("object", "embedding");
                        writer.WriteNumber("index", i);
                        writer.WritePropertyName("embedding");
                        var vector = job.Vector(i)[..state.Dimensions];
                        var scale = state.Dimensions < job.Dimension ? InverseNorm(vector) : 1f;
                        if (!state.Base64)
                        {
                            WriteVector(writer, vector, scale);
                        }
                        else if (scratch is null)
                        {
                            // The OpenAI clients decode base64 as little-endian float32, which is the in-memory layout here.
                            writer.WriteBase64StringValue(MemoryMarshal.AsBytes(vector));
                        }
                        else
                        {
                            var scaled = scratch.AsSpan(0, vector.Length);
                            for (var d = 0; d < vector.Length; d++)
                            {
                                scaled[d] = vector[d] * scale;
                            }

                            writer.WriteBase64StringValue(MemoryMarshal.AsBytes(scaled));
                        }

                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteString("model", state.Model);
                    writer.WriteStartObject("usage");
                    writer.WriteNumber("prompt_tokens", tokenCount);
                    writer.WriteNumber("total_tokens", tokenCount);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }
                finally
                {
                    if (scratch is not null)
                    {
                        ArrayPool<float>.Shared.Return(scratch);
                    }
                }
            }).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> Similarity(HttpContext context, EmbeddingRuntime runtime, ClusterOptions options)
    {
        if (Refused(context, runtime) is { } refused)
        {
            return refused;
        }

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

            if (!Fields.Text(sourceElement, prefix + "source_sentence", out var source, out error))
            {
                return error!;
            }

            var all = new List<string>(sentences!.Count + 1) { source };
            all.AddRange(sentences);
            var batcher = runtime.Batcher;
            var tokens = Tokenize(context, batcher, all, truncate: true, out error);
            if (tokens is null)
            {
                return error!;
            }

            return await RespondAsync(context, batcher!, tokens, 0, static (writer, job, _) =>
            {
                writer.WriteStartArray();
                for (var i = 1; i < job.Tokens.Length; i++)
                {
                    writer.WriteNumberValue(VectorMath.Dot(job.Vector(0), job.Vector(i)));
                }

                writer.WriteEndArray();
            }).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The part every embedding endpoint shares: queue the tokens (429 when the queue is full), wait for the
    /// vectors (dropped when the client goes away), set the timing headers, let <paramref name="write"/>
    /// write the body as JSON straight to the response pipe, and give the vector buffer back.
    /// </summary>
    /// <remarks><paramref name="state"/> carries what the writer needs so the writers can be static lambdas (no closure per request).</remarks>
    private static async Task<IResult> RespondAsync<TState>(
        HttpContext context, EmbeddingBatcher batcher, int[][] tokens, TState state, Action<Utf8JsonWriter, EmbeddingJob, TState> write)
    {
        EmbeddingJob job;
        try
        {
            job = batcher.Enqueue(tokens, context.RequestAborted);
        }
        catch (QueueFullException ex)
        {
            return Problems.RetryLater(context, StatusCodes.Status429TooManyRequests, "Queue full", ex.Message, ex.RetryAfterSeconds);
        }
        catch (ObjectDisposedException)
        {
            return Problems.RetryLater(context, StatusCodes.Status503ServiceUnavailable, "Shutting down", "the service is stopping and takes no new work", 1);
        }

        try
        {
            await job.Completion.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            SetTimingHeaders(context, job);
            context.Response.ContentType = "application/json";
            using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
            write(writer, job, state);
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            return Results.Empty;
        }
        catch (ObjectDisposedException) when (job.Completion.IsFaulted)
        {
            // The batcher stopped while these sentences still waited for the model.
            return Problems.RetryLater(context, StatusCodes.Status503ServiceUnavailable, "Shutting down", "the service stopped before the request was served", 1);
        }
        finally
        {
            job.Release();
        }
    }

    /// <summary>
    /// 429 before the body is read when the work already queued would not let any request start within the
    /// admission budget: under overload a refusal then costs neither parsing nor tokenizing.
    /// </summary>
    private static IResult? Refused(HttpContext context, EmbeddingRuntime runtime) =>
        runtime.Batcher is { } batcher && batcher.OverBudget(out var refusal)
            ? Problems.RetryLater(context, StatusCodes.Status429TooManyRequests, "Queue full", refusal!.Message, refusal.RetryAfterSeconds)
            : null;

    /// <summary>Tokenizes the sentences, or says why not: 503 while loading, 413 when a sentence is too long and truncation is off.</summary>
    private static int[][]? Tokenize(HttpContext context, EmbeddingBatcher? batcher, IReadOnlyList<string> sentences, bool truncate, out IResult? error)
    {
        error = null;
        if (batcher is null)
        {
            error = NotReady(context);
            return null;
        }

        var model = batcher.Model;
        var tokens = new int[sentences.Count][];
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!truncate && model.Tokenizer.CountTokens(sentences[i], model.MaxTokens + 1) > model.MaxTokens)
            {
                error = Problems.TooLarge($"inputs[{i}]", $"inputs[{i}] has more than {model.MaxTokens} tokens and 'truncate' is false");
                return null;
            }

            tokens[i] = model.Tokenize(sentences[i]);
        }

        return tokens;
    }

    private static IResult NotReady(HttpContext context) =>
        Problems.RetryLater(context, StatusCodes.Status503ServiceUnavailable, "Not ready", "the model is still loading or warming up", 1);

    private static void SetTimingHeaders(HttpContext context, EmbeddingJob job)
    {
        var queue = job.QueueTime.TotalMilliseconds;
        var compute = job.ComputeTime.TotalMilliseconds;
        var headers = context.Response.Headers;
        headers["X-Queue-Time-Ms"] = queue.ToString("F2", CultureInfo.InvariantCulture);
        headers["X-Compute-Time-Ms"] = compute.ToString("F2", CultureInfo.InvariantCulture);
        headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture, $"queue;dur={queue:F2}, compute;dur={compute:F2}");
    }

    private static void WriteVector(Utf8JsonWriter writer, ReadOnlySpan<float> vector, float scale)
    {
        writer.WriteStartArray();
        foreach (var value in vector)
        {
            writer.WriteNumberValue(value * scale);
        }

        writer.WriteEndArray();
    }

    /// <summary>1 / the L2 norm of <paramref name="vector"/> (1 for a zero vector, which stays zero).</summary>
    private static float InverseNorm(ReadOnlySpan<float> vector)
    {
        var norm = MathF.Sqrt(VectorMath.Dot(vector, vector));
        return norm > 0 ? 1f / norm : 1f;
    }
}
