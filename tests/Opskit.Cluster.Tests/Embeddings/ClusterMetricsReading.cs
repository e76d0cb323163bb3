using System.Globalization;
using System.Text.RegularExpressions;
using Opskit.Cluster.Diagnostics;

namespace Opskit.Cluster.Tests.Embeddings;

/// <summary>Reads counts back from what <c>/metrics</c> shows, the only copy of them the service keeps.</summary>
internal static partial class ClusterMetricsReading
{
    extension(ClusterMetrics metrics)
    {
        /// <summary>Model batches run so far: the count of the batch size histogram.</summary>
        public long BatchCount
        {
            get
            {
                var match = BatchSizeCount().Match(metrics.WritePrometheus());
                Assert.True(match.Success, "no opskit_cluster_batch_size_count sample in /metrics");
                return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }
    }

    [GeneratedRegex(@"^opskit_cluster_batch_size_count (\d+)$", RegexOptions.Multiline)]
    private static partial Regex BatchSizeCount();
}
