using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Opskit.Core.Hosting;

/// <summary>
/// A host lifetime that leaves Ctrl-C and SIGTERM to the caller (the <c>opskit</c> command's
/// cancellation token, or <c>opskit up</c>). The default console lifetime would swallow Ctrl-C for
/// the whole process, so a host built inside another one must not use it.
/// </summary>
public sealed class CallerOwnedLifetime : IHostLifetime
{
    /// <inheritdoc />
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Registration of <see cref="CallerOwnedLifetime"/>.</summary>
public static class CallerOwnedLifetimeExtensions
{
    /// <summary>Replaces the host's lifetime with <see cref="CallerOwnedLifetime"/>.</summary>
    public static IServiceCollection AddCallerOwnedLifetime(this IServiceCollection services) =>
        services.AddSingleton<IHostLifetime, CallerOwnedLifetime>();
}
