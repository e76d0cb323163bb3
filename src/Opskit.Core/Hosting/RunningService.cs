namespace Opskit.Core.Hosting;

/// <summary>A started service: its name, where it listens, and how to stop it.</summary>
public sealed class RunningService : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task> _stop;
    private int _stopped;

    /// <summary>Creates a handle.</summary>
    /// <param name="name">Tool name, e.g. <c>statsd</c>.</param>
    /// <param name="addresses">Human-readable listen addresses, e.g. <c>udp://127.0.0.1:8125</c>.</param>
    /// <param name="stop">Stops the service gracefully (flushing what it holds).</param>
    public RunningService(string name, IReadOnlyList<string> addresses, Func<CancellationToken, Task> stop)
    {
        Name = name;
        Addresses = addresses;
        _stop = stop;
    }

    /// <summary>Tool name.</summary>
    public string Name { get; }

    /// <summary>Where the service listens.</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>Stops the service once; later calls do nothing.</summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _stopped, 1) == 0 ? _stop(cancellationToken) : Task.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}
