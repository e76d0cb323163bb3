using Microsoft.Extensions.Logging;

namespace Opskit.Core.Hosting;

/// <summary>
/// Sends a host's log events to a factory the caller shares (<c>opskit up</c>), after the host's own filters ran
/// (registering the shared factory as the host's would bypass them and log every request).
/// </summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    public void Dispose()
    {
        // The shared factory belongs to the caller.
    }
}
