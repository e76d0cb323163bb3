using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Opskit.Core.Metrics;

namespace Opskit.Cluster.Diagnostics;

/// <summary>
/// The service's instruments. Each is published through <see cref="System.Diagnostics.Metrics"/>
/// (meter <c>Opskit.Cluster</c>, for any listener) and kept in a small aggregate that
/// <see cref="WritePrometheus"/> renders for <c>GET /metrics</c>.
/// </summary>
internal sealed class ClusterMetrics : IDisposable
{
    public const string MeterName = "Opskit.Cluster";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _requestsCounter;
    private readonly Counter<long> _sentencesCounter;
    private readonly Counter<long> _tokensCounter;
    private readonly Histogram<double> _inferenceHistogram;
    private readonly Histogram<int> _batchHistogram;
    private readonly ConcurrentDictionary<(string Endpoint, int Status), long> _requests = new();
    private readonly PrometheusHistogram _batchSizes = new("opskit_cluster_batch_size", "Sentences per model batch.", [1, 2, 4, 8, 16, 32, 64, 128, 256]);
    private readonly PrometheusHistogram _inferenceSeconds = new("opskit_cluster_inference_seconds", "Model time per batch.", [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
    private readonly PrometheusHistogram _queueSeconds = new("opskit_cluster_queue_seconds", "Time a request waited before its first batch ran.", [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
    private long _sentences;
    private long _tokens;
    private long _paddedTokens;
    private long _rejected;
    private long _dropped;
    private Func<int> _queueDepth = () => 0;

    public ClusterMetrics()
    {
        _requestsCounter = _meter.CreateCounter<long>("opskit.cluster.requests", description: "HTTP requests by endpoint and status.");
        _sentencesCounter = _meter.CreateCounter<long>("opskit.cluster.sentences", description: "Sentences embedded.");
        _tokensCounter = _meter.CreateCounter<long>("opskit.cluster.tokens", description: "Tokens embedded (without padding).");
        _inferenceHistogram = _meter.CreateHistogram<double>("opskit.cluster.inference.duration", "s", "Model time per batch.");
        _batchHistogram = _meter.CreateHistogram<int>("opskit.cluster.batch.size", description: "Sentences per model batch.");
        _meter.CreateObservableGauge("opskit.cluster.queue.depth", () => _queueDepth(), description: "Sentences waiting for the model.");
    }

    /// <summary>Where the queue depth gauge reads from (the batcher, once it exists).</summary>
    public void ObserveQueueDepth(Func<int> depth) => _queueDepth = depth;

    public void RequestCompleted(string endpoint, int status)
    {
        _requests.AddOrUpdate((endpoint, status), 1, static (_, count) => count + 1);
        _requestsCounter.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("status", status));
    }

    public void BatchCompleted(int sentences, long tokens, long paddedTokens, double seconds)
    {
        Interlocked.Add(ref _sentences, sentences);
        Interlocked.Add(ref _tokens, tokens);
        Interlocked.Add(ref _paddedTokens, paddedTokens);
        _batchSizes.Record(sentences);
        _inferenceSeconds.Record(seconds);
        _sentencesCounter.Add(sentences);
        _tokensCounter.Add(tokens);
        _inferenceHistogram.Record(seconds);
        _batchHistogram.Record(sentences);
    }

    public void Queued(double seconds) => _queueSeconds.Record(seconds);

    public void Rejected() => Interlocked.Increment(ref _rejected);

    public void Dropped(int sentences) => Interlocked.Add(ref _dropped, sentences);

    public long BatchCount => _batchSizes.Count;

    public string WritePrometheus()
    {
        var output = new PrometheusTextBuilder();
        output.Family("opskit_cluster_requests_total", "HTTP requests by endpoint and status.", "counter");
        foreach (var ((endpoint, status), count) in _requests)
        {
            output.Sample("opskit_cluster_requests_total", count, ("endpoint", endpoint), ("status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        output.Counter("opskit_cluster_sentences_total", "Sentences embedded.", Interlocked.Read(ref _sentences))
            .Counter("opskit_cluster_tokens_total", "Tokens embedded, without padding.", Interlocked.Read(ref _tokens))
            .Counter("opskit_cluster_padded_tokens_total", "Tokens fed to the model, with padding.", Interlocked.Read(ref _paddedTokens))
            .Counter("opskit_cluster_rejected_total", "Requests refused because the queue was full (429).", Interlocked.Read(ref _rejected))
            .Counter("opskit_cluster_dropped_sentences_total", "Queued sentences dropped because their client went away.", Interlocked.Read(ref _dropped))
            .Gauge("opskit_cluster_queue_depth", "Sentences waiting for the model.", _queueDepth());
        var gc = GC.GetGCMemoryInfo();
        output.Gauge("process_resident_memory_bytes", "Resident set size.", Environment.WorkingSet)
            .Gauge("opskit_cluster_gc_heap_bytes", "Managed heap size after the last collection.", gc.HeapSizeBytes)
            .Gauge("opskit_cluster_gc_committed_bytes", "Memory committed by the managed heap.", gc.TotalCommittedBytes);
        _batchSizes.WriteTo(output);
        _inferenceSeconds.WriteTo(output);
        _queueSeconds.WriteTo(output);
        return output.ToString();
    }

    public void Dispose() => _meter.Dispose();
}
