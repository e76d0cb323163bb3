using Microsoft.Extensions.Logging;

namespace Opskit.Cluster.Http;

/// <summary>
/// Sends the host's log events to the factory <c>opskit up</c> shares, after this host's own filters ran
/// (registering the shared factory directly would bypass them and log every request).
/// </summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    public void Dispose()
    {
        // The shared factory belongs to opskit up.
    }
}
