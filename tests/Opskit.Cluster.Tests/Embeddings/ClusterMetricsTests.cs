using Opskit.Cluster.Diagnostics;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Embeddings;

public sealed class ClusterMetricsTests
{
    [Fact]
    public async Task Exposition_names_every_documented_family_and_promtool_accepts_it()
    {
        using var metrics = new ClusterMetrics();
        metrics.RequestCompleted("/embed", 200);
        metrics.RequestCompleted("/embed", 200);
        metrics.RequestCompleted("/cluster", 429);
        metrics.BatchCompleted(sentences: 3, tokens: 30, paddedTokens: 36, seconds: 0.02);
        metrics.Queued(0.004);
        metrics.Rejected();
        metrics.Dropped(2);
        metrics.ObserveQueueDepth(() => 5);

        var text = metrics.WritePrometheus();

        Assert.Contains("opskit_cluster_requests_total{endpoint=\"/embed\",status=\"200\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("opskit_cluster_requests_total{endpoint=\"/cluster\",status=\"429\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("opskit_cluster_sentences_total 3\n", text, StringComparison.Ordinal);
        Assert.Contains("opskit_cluster_tokens_total 30\n", text, StringComparison.Ordinal);
        Assert.Contains("opskit_cluster_padded_tokens_total 36\n", text, StringComparison.Ordinal);
        Assert.Contains("opskit_cluster_rejected_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("opskit_cluster_dropped_sentences_total 2\n", text, StringComparison.Ordinal);
        Assert.Contains("opskit_cluster_queue_depth 5\n", text, StringComparison.Ordinal);
        Assert.Contains("opskit_cluster_batch_size_bucket{le=\"4\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("opskit_cluster_inference_seconds_count 1\n", text, StringComparison.Ordinal);
        Assert.Contains("opskit_cluster_queue_seconds_bucket{le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE process_resident_memory_bytes gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE opskit_cluster_gc_heap_bytes gauge\n", text, StringComparison.Ordinal);
        await Promtool.AssertValidAsync(text);
    }
}
