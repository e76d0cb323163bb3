using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Opskit.Cluster.Diagnostics;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// Loads the model once, in the background, then warms it up; until both are done the service is live
/// but not ready (<c>/health/ready</c> 503), so a slow load never trips a request timeout. A failed load
/// stops the host: an orchestrator restarts the process instead of it serving 503 forever.
/// </summary>
internal sealed partial class EmbeddingRuntime(
    IModelLoader loader,
    ClusterOptions options,
    ClusterMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<EmbeddingRuntime> logger) : BackgroundService
{
    private static readonly string[] WarmUpSentences =
    [
        "warm up",
        "The model runs one batch before the service reports ready.",
        "Short and long sentences make ONNX Runtime allocate its buffers for typical shapes before real traffic arrives.",
        "ok",
    ];

    private EmbeddingBatcher? _batcher;

    /// <summary>The batcher, once the model is loaded and warm; null before.</summary>
    public EmbeddingBatcher? Batcher => Volatile.Read(ref _batcher);

    public bool IsReady => Batcher is not null;

    /// <summary>True when loading failed and the host was asked to stop (the process should exit non-zero).</summary>
    public bool LoadFailed { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            var model = await Task.Run(async () => new EmbeddingModel(await loader.LoadAsync(stoppingToken).ConfigureAwait(false), options.Model), stoppingToken).ConfigureAwait(false);
            var loaded = Stopwatch.GetElapsedTime(started);
            LogLoaded(logger, model.ModelId, model.Dimension, options.Batching.Workers, options.Model.IntraOpThreads, loaded.TotalMilliseconds);
            var batcher = new EmbeddingBatcher(model, options.Batching, metrics);
            var warmStart = Stopwatch.GetTimestamp();
            await batcher.EmbedAsync(WarmUpSentences, stoppingToken).ConfigureAwait(false);
            var warm = Stopwatch.GetElapsedTime(warmStart);

            // ONNX Runtime copied the ~90 MB model into its own memory; give the managed copy (a large
            // object) back to the OS now instead of whenever a full collection happens to run.
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            LogWarm(logger, warm.TotalMilliseconds, Environment.WorkingSet / (1024 * 1024));
            Volatile.Write(ref _batcher, batcher);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped while loading.
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            // One line: the cause is in the message; a stack trace would only say where the file was read.
            LogLoadFailed(logger, ex.Message);
            LoadFailed = true;

            // Stop once the host has started, not while the server is still binding: a stop requested in the middle of
            // start-up raced with Kestrel (sometimes it never bound or logged where it listens, and a bind failure
            // could be reported as the load failure). When start-up fails instead, stoppingToken ends the wait.
            await WhenStartedAsync(lifetime, stoppingToken).ConfigureAwait(false);
            lifetime.StopApplication();
        }
    }

    private static async Task WhenStartedAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetResult());
        await started.Task.ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _batcher, null) is { } batcher)
        {
            LogStopping(logger, batcher.QueueDepth);
            await batcher.DisposeAsync().ConfigureAwait(false);
            batcher.Model.Dispose();
        }

        LogStopped(logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "model {ModelId} loaded: dimension {Dimension}, {Workers} batch workers × {Threads} intra-op threads, load took {Milliseconds:F0} ms")]
    private static partial void LogLoaded(ILogger logger, string modelId, int dimension, int workers, int threads, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "warm-up batch took {Milliseconds:F0} ms; ready (RSS {RssMiB} MiB)")]
    private static partial void LogWarm(ILogger logger, double milliseconds, long rssMiB);

    [LoggerMessage(Level = LogLevel.Critical, Message = "model failed to load: {Reason}; stopping")]
    private static partial void LogLoadFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping: {Queued} queued sentences are finished or refused")]
    private static partial void LogStopping(ILogger logger, int queued);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped")]
    private static partial void LogStopped(ILogger logger);
}
