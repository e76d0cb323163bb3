namespace Opskit.Core.Hosting;

/// <summary>
/// A tool that runs as a long-lived service and so takes part in <c>opskit up</c>.
/// </summary>
public interface IServiceTool : IOpskitTool
{
    /// <summary>
    /// Starts the service on loopback with embedded defaults (no external server) and returns
    /// once it accepts work. The returned handle stops it.
    /// </summary>
    Task<RunningService> StartEmbeddedAsync(EmbeddedContext context, CancellationToken cancellationToken);
}
