using System.Globalization;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// The batcher cannot take the request: its queue holds more sentences than it may, or what waits ahead would
/// not let the request start within the admission budget. The caller should retry later (429, <c>Retry-After</c>).
/// </summary>
internal sealed class QueueFullException : Exception
{
    public QueueFullException(int queued, int capacity)
        : base($"{queued} sentences are queued (capacity {capacity}); retry later")
    {
        Queued = queued;
        Capacity = capacity;
    }

    public QueueFullException(TimeSpan expectedWait, TimeSpan budget)
        : base(string.Create(CultureInfo.InvariantCulture, $"the queue would start this request in about {expectedWait.TotalSeconds:F1} s, over the admission budget of {budget.TotalSeconds:F1} s; retry later"))
    {
        ExpectedWait = expectedWait;
        // When the queue will have drained to within the budget; at least one second.
        RetryAfterSeconds = (int)Math.Clamp(Math.Ceiling((expectedWait - budget).TotalSeconds), 1, 60);
    }

    /// <summary>Sentences queued when the request was refused for capacity (0 when refused for time).</summary>
    public int Queued { get; }

    /// <summary>The queue capacity (0 when refused for time).</summary>
    public int Capacity { get; }

    /// <summary>When refused for time: how long the queue ahead would have held the request back.</summary>
    public TimeSpan ExpectedWait { get; }

    /// <summary>The <c>Retry-After</c> to send, in seconds.</summary>
    public int RetryAfterSeconds { get; } = 1;
}
