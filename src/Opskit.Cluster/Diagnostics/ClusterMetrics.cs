using System.Diagnostics.Metrics;
using Opskit.Core.Metrics;

namespace Opskit.Cluster.Diagnostics;

/// <summary>
/// The service's instruments, recorded through <see cref="System.Diagnostics.Metrics"/> only (meter
/// <c>Opskit.Cluster</c>, for any listener); <see cref="WritePrometheus"/> renders this instance's meter with
/// Core's <see cref="MeterExporter"/> for <c>GET /metrics</c>.
/// </summary>
internal sealed class ClusterMetrics : IDisposable
{
    public const string MeterName = "Opskit.Cluster";

    private readonly Meter _meter = new(MeterName);
    private readonly MeterExporter _exporter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _sentences;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _paddedTokens;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _dropped;
    private readonly Histogram<int> _batchSizes;
    private readonly Histogram<double> _inferenceSeconds;
    private readonly Histogram<double> _queueSeconds;
    private Func<int> _queueDepth = () => 0;

    public ClusterMetrics()
    {
        _requests = _meter.CreateCounter<long>("opskit.cluster.requests", description: "HTTP requests by endpoint and status.");
        _sentences = _meter.CreateCounter<long>("opskit.cluster.sentences", description: "Sentences embedded.");
        _tokens = _meter.CreateCounter<long>("opskit.cluster.tokens", description: "Tokens embedded, without padding.");
        _paddedTokens = _meter.CreateCounter<long>("opskit.cluster.padded_tokens", description: "Tokens fed to the model, with padding.");
        _rejected = _meter.CreateCounter<long>("opskit.cluster.rejected", description: "Requests refused because the queue was full (429).");
        _dropped = _meter.CreateCounter<long>("opskit.cluster.dropped_sentences", description: "Queued sentences dropped because their client went away.");
        _meter.CreateObservableGauge("opskit.cluster.queue.depth", () => _queueDepth(), description: "Sentences waiting for the model.");
        _batchSizes = _meter.CreateHistogram<int>("opskit.cluster.batch.size", description: "Sentences per model batch.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _inferenceSeconds = _meter.CreateHistogram<double>("opskit.cluster.inference", "s", "Model time per batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _queueSeconds = _meter.CreateHistogram<double>("opskit.cluster.queue", "s", "Time a request waited before its first batch ran.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _meter.CreateObservableGauge("process.resident_memory", () => Environment.WorkingSet, "By", "Resident set size.");
        _meter.CreateObservableGauge("opskit.cluster.gc.heap", () => GC.GetGCMemoryInfo().HeapSizeBytes, "By", "Managed heap size after the last collection.");
        _meter.CreateObservableGauge("opskit.cluster.gc.committed", () => GC.GetGCMemoryInfo().TotalCommittedBytes, "By", "Memory committed by the managed heap.");
        _exporter = new MeterExporter(_meter);
    }

    /// <summary>Where the queue depth gauge reads from (the batcher, once it exists).</summary>
    public void ObserveQueueDepth(Func<int> depth) => _queueDepth = depth;

    public void RequestCompleted(string endpoint, int status) =>
        _requests.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("status", status));

    public void BatchCompleted(int sentences, long tokens, long paddedTokens, double seconds)
    {
        _sentences.Add(sentences);
        _tokens.Add(tokens);
        _paddedTokens.Add(paddedTokens);
        _batchSizes.Record(sentences);
        _inferenceSeconds.Record(seconds);
    }

    public void Queued(double seconds) => _queueSeconds.Record(seconds);

    public void Rejected() => _rejected.Add(1);

    public void Dropped(int sentences) => _dropped.Add(sentences);

    public string WritePrometheus() => _exporter.Render();

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }
}
