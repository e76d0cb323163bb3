using System.CommandLine;
using Microsoft.AspNetCore.Connections;
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
        var urls = new Option<string?>("--urls") { Description = $"Listen addresses, ';'-separated [default: {defaults.Urls}]." };
        var host = new Option<string?>("--host") { Description = "Address to listen on, as uvicorn's --host (shorthand for --urls http://HOST:PORT) [default: 127.0.0.1]." };
        var port = new Option<int?>("--port") { Description = "Port to listen on, as uvicorn's --port (shorthand for --urls http://HOST:PORT) [default: 8000]." };
        var model = new Option<DirectoryInfo?>("--model") { Description = "Folder with another BERT-family sentence-transformers export (model.onnx or onnx/model.onnx, tokenizer.json); default: bundled all-MiniLM-L6-v2." };
        var pooling = new Option<Pooling?>("--pooling") { Description = "Pooling of token vectors: Mean or Cls [default: the model's, from 1_Pooling/config.json; Mean]." };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Truncation length including [CLS] and [SEP] [default: the model's, as sentence-transformers reads it; 256 for all-MiniLM-L6-v2]." };
        var threads = new Option<int?>("--intra-op-threads") { Description = "ONNX Runtime intra-op threads per model call (default: cores ÷ batch workers, at least 1)." };
        var spinning = new Option<bool>("--allow-spinning") { Description = "Let idle ONNX Runtime threads spin (lower latency on a dedicated machine, wasted CPU otherwise)." };
        var maxBatch = new Option<int>("--max-batch-size") { Description = "Most sentences per model call.", DefaultValueFactory = _ => defaults.Batching.MaxBatchSize };
        var budget = new Option<int>("--token-budget") { Description = "Most padded tokens (longest × count) per model call.", DefaultValueFactory = _ => defaults.Batching.TokenBudget };
        var maxWait = new Option<double>("--max-wait-ms") { Description = "How long an idle batcher waits to fill a batch.", DefaultValueFactory = _ => defaults.Batching.MaxWait.TotalMilliseconds };
        var queue = new Option<int>("--queue-capacity") { Description = "Most queued sentences before 429.", DefaultValueFactory = _ => defaults.Batching.QueueCapacity };
        var queueBudget = new Option<double>("--queue-budget-ms") { Description = "429 at once for a request the queue could not start within this (0: off).", DefaultValueFactory = _ => defaults.Batching.AdmissionBudget.TotalMilliseconds };
        var workers = new Option<int?>("--batch-workers") { Description = $"Model calls that may run at once [default: the number of cores, {Environment.ProcessorCount} here]." };
        var noBatching = new Option<bool>("--no-batching") { Description = "One sentence per model call (for comparison)." };
        var maxBody = new Option<long>("--max-body-bytes") { Description = "Largest request body (413 above).", DefaultValueFactory = _ => defaults.MaxBodyBytes };
        var maxSentences = new Option<int>("--max-sentences") { Description = "Most sentences per request (413 above).", DefaultValueFactory = _ => defaults.MaxSentences };
        var command = new Command(Name, Description)
        {
            urls, host, port, model, pooling, maxTokens, threads, spinning, maxBatch, budget, maxWait, queue, queueBudget, workers, noBatching, maxBody, maxSentences,
        };
        command.SetAction(async (parse, ct) =>
        {
            var workerCount = parse.GetValue(workers) ?? defaults.Batching.Workers;
            var listen = parse.GetValue(urls);
            if (parse.GetValue(host) is not null || parse.GetValue(port) is not null)
            {
                if (listen is not null)
                {
                    await Console.Error.WriteLineAsync("opskit cluster: give either --urls or --host/--port, not both").ConfigureAwait(false);
                    return ExitCodes.BadOption;
                }

                listen = ListenUrl(parse.GetValue(host), parse.GetValue(port));
            }

            var options = new ClusterOptions
            {
                Urls = listen ?? defaults.Urls,
                ModelDirectory = parse.GetValue(model)?.FullName,
                MaxBodyBytes = parse.GetValue(maxBody),
                MaxSentences = parse.GetValue(maxSentences),
                Model = new EmbeddingModelOptions
                {
                    IntraOpThreads = parse.GetValue(threads) ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, workerCount)),
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
                    AdmissionBudget = TimeSpan.FromMilliseconds(parse.GetValue(queueBudget)),
                    Workers = workerCount,
                },
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"opskit cluster: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.BadOption;
            }

            // Checked before anything starts: a typo in --model is one line and exit 2, not a critical log line
            // after "Application started".
            if (options.ModelDirectory is { } folder && ModelDirectory.Check(folder) is { } problem)
            {
                await Console.Error.WriteLineAsync($"opskit cluster: --model {problem}").ConfigureAwait(false);
                return ExitCodes.BadOption;
            }

            var app = ClusterServer.Build(options);
            await using (app.ConfigureAwait(false))
            {
                try
                {
                    await app.StartAsync(ct).ConfigureAwait(false);
                }
                catch (IOException ex) when (ex.InnerException is AddressInUseException)
                {
                    await Console.Error.WriteLineAsync($"opskit cluster: cannot listen on {options.Urls}: the address is already in use; stop the process that holds it or choose another port (--port or --urls)").ConfigureAwait(false);
                    return ExitCodes.CannotListen;
                }
                catch (IOException ex)
                {
                    await Console.Error.WriteLineAsync($"opskit cluster: cannot listen on {options.Urls}: {ex.Message}").ConfigureAwait(false);
                    return ExitCodes.CannotListen;
                }

                await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
                return app.Services.GetRequiredService<EmbeddingRuntime>().LoadFailed ? ExitCodes.CannotServe : ExitCodes.Stopped;
            }
        });
        return command;
    }

    /// <summary><c>--host</c>/<c>--port</c> as a Kestrel URL; an IPv6 address gets its brackets.</summary>
    internal static string ListenUrl(string? host, int? port)
    {
        host ??= "127.0.0.1";
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = $"[{host}]";
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"http://{host}:{port ?? 8000}");
    }

    /// <inheritdoc />
    public async Task<RunningService> StartEmbeddedAsync(EmbeddedContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var defaults = new ClusterOptions();
        var options = defaults with { Urls = context.Setting("cluster.urls", defaults.Urls) };
        var app = ClusterServer.Build(options, loggerFactory: context.LoggerFactory);
        return await app.StartAsRunningServiceAsync(Name, _ => ClusterServer.Addresses(app), cancellationToken).ConfigureAwait(false);
    }
}
