using Opskit.Statsd.Aggregation;

namespace Opskit.Statsd.Flushing;

/// <summary>
/// A flush destination (Etsy's backend modules). Each gets the same immutable snapshot; the
/// <see cref="FlushScheduler"/> runs each on its own queue so one cannot hold up another.
/// </summary>
internal interface IStatsdBackend : IAsyncDisposable
{
    /// <summary>Name in the management <c>stats</c> output (Etsy's backend names: graphite, console, ...).</summary>
    string Name { get; }

    /// <summary>Delivers one flush. Exceptions are caught, counted and logged by the scheduler.</summary>
    Task FlushAsync(MetricSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>Etsy's 'status' event: the backend's own stats (name, value) for the management <c>stats</c> command.</summary>
    IEnumerable<KeyValuePair<string, double>> Status();
}
