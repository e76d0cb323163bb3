using Microsoft.Extensions.Hosting;

namespace Opskit.Core.Hosting;

/// <summary>Adapters from the Generic Host to <see cref="RunningService"/>.</summary>
public static class RunningServiceExtensions
{
    /// <summary>
    /// Starts <paramref name="host"/> and wraps it so <c>opskit up</c> can stop it; the host is
    /// disposed after it stops.
    /// </summary>
    public static async Task<RunningService> StartAsRunningServiceAsync(
        this IHost host, string name, Func<IHost, IReadOnlyList<string>> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(addresses);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new RunningService(name, addresses(host), async ct =>
        {
            try
            {
                await host.StopAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                host.Dispose();
            }
        });
    }
}
