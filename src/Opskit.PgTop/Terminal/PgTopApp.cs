using Opskit.PgTop.Settings;

namespace Opskit.PgTop.Terminal;

/// <summary>The interactive screen.</summary>
internal static class PgTopApp
{
    public static Task<int> RunAsync(PgTopOptions options, CancellationToken cancellationToken) => Task.FromResult(options is null || cancellationToken.IsCancellationRequested ? 1 : 1);
}
