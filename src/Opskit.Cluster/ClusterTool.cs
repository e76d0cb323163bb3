using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Opskit.Cluster.Embeddings;
using Opskit.Cluster.Http;
using Opskit.Core.Hosting;

namespace Opskit.Cluster;

/// <summary>
/// <c>opskit cluster</c>: one process, one all-MiniLM-L6-v2 ONNX session shared by every request, dynamic
/// batching across requests, and clustering of sentences by meaning over HTTP.
/// </summary>
public sealed class ClusterTool : IServiceTool
{
    /// <inheritdoc />
    public string Name => "cluster";

    /// <inheritdoc />
    public string Description => "Sentence-embedding and clustering HTTP service (all-MiniLM-L6-v2 on ONNX Runtime, dynamic batching).";

    /// <inheritdoc />
    public Command CreateCommand()
    {
        var defaults = new ClusterOptions();
        var urls = new Option<string>("--urls") { Description = "Listen addresses, ';'-separated.", DefaultValueFactory = _ => defaults.Urls };
        var model = new Option<DirectoryInfo?>("--model") { Description = "Folder with another BERT-family sentence-transformers export (model.onnx + vocab.txt); default: bundled all-MiniLM-L6-v2." };
        var pooling = new Option<Pooling>("--pooling") { Description = "Pooling of token vectors: Mean or Cls.", DefaultValueFactory = _ => defaults.Model.Pooling };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Truncation length including [CLS] and [SEP].", DefaultValueFactory = _ => defaults.Model.MaxTokens };
        var threads = new Option<int?>("--intra-op-threads") { Description = "ONNX Runtime intra-op threads per model call (default: cores ÷ batch workers, at least 1)." };
        var spinning = new Option<bool>("--allow-spinning") { Description = "Let idle ONNX Runtime threads spin (lower latency on a dedicated machine, wasted CPU otherwise)." };
        var maxBatch = new Option<int>("--max-batch-size") { Description = "Most sentences per model call.", DefaultValueFactory = _ => defaults.Batching.MaxBatchSize };
        var budget = new Option<int>("--token-budget") { Description = "Most padded tokens (longest × count) per model call.", DefaultValueFactory = _ => defaults.Batching.TokenBudget };
        var maxWait = new Option<double>("--max-wait-ms") { Description = "How long an idle batcher waits to fill a batch.", DefaultValueFactory = _ => defaults.Batching.MaxWait.TotalMilliseconds };
        var queue = new Option<int>("--queue-capacity") { Description = "Most queued sentences before 429.", DefaultValueFactory = _ => defaults.Batching.QueueCapacity };
        var workers = new Option<int>("--batch-workers") { Description = "Model calls that may run at once (default: cores).", DefaultValueFactory = _ => defaults.Batching.Workers };
        var noBatching = new Option<bool>("--no-batching") { Description = "One sentence per model call (for comparison)." };
        var maxBody = new Option<long>("--max-body-bytes") { Description = "Largest request body (413 above).", DefaultValueFactory = _ => defaults.MaxBodyBytes };
        var maxSentences = new Option<int>("--max-sentences") { Description = "Most sentences per request (413 above).", DefaultValueFactory = _ => defaults.MaxSentences };
        var command = new Command(Name, Description)
        {
            urls, model, pooling, maxTokens, threads, spinning, maxBatch, budget, maxWait, queue, workers, noBatching, maxBody, maxSentences,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new ClusterOptions
            {
                Urls = parse.GetValue(urls)!,
                ModelDirectory = parse.GetValue(model)?.FullName,
                MaxBodyBytes = parse.GetValue(maxBody),
                MaxSentences = parse.GetValue(maxSentences),
                Model = new EmbeddingModelOptions
                {
                    IntraOpThreads = parse.GetValue(threads) ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, parse.GetValue(workers))),
                    MaxTokens = parse.GetValue(maxTokens),
                    Pooling = parse.GetValue(pooling),
                    AllowSpinning = parse.GetValue(spinning),
                },
                Batching = new BatcherOptions
                {
                    MaxBatchSize = parse.GetValue(noBatching) ? 1 : parse.GetValue(maxBatch),
                    TokenBudget = parse.GetValue(budget),
                    MaxWait = TimeSpan.FromMilliseconds(parse.GetValue(maxWait)),
                    QueueCapacity = parse.GetValue(queue),
                    Workers = parse.GetValue(workers),
                },
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"opskit cluster: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            var app = ClusterServer.Build(options);
            await using (app.ConfigureAwait(false))
            {
                await app.StartAsync(ct).ConfigureAwait(false);
                await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
                return app.Services.GetRequiredService<EmbeddingRuntime>().LoadFailed ? 1 : 0;
            }
        });
        return command;
    }

    /// <inheritdoc />
    public async Task<RunningService> StartEmbeddedAsync(EmbeddedContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var app = ClusterServer.Build(new ClusterOptions(), loggerFactory: context.LoggerFactory, embedded: true);
        return await app.StartAsRunningServiceAsync(Name, _ => ClusterServer.Addresses(app), cancellationToken).ConfigureAwait(false);
    }
}
