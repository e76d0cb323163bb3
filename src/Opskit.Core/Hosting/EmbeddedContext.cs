using Microsoft.Extensions.Logging;

namespace Opskit.Core.Hosting;

/// <summary>What <c>opskit up</c> hands every service it starts.</summary>
/// <param name="DataDirectory">Root for the service's files; each service uses its own subfolder.</param>
/// <param name="LoggerFactory">Shared logging, so every service logs in one format to one place.</param>
public sealed record EmbeddedContext(string DataDirectory, ILoggerFactory LoggerFactory)
{
    /// <summary>
    /// Settings the person gave <c>opskit up</c> (<c>--edge-upstream</c> and the like), keyed <c>tool.name</c>,
    /// e.g. <c>edge.upstream</c>; a service uses its embedded default for every key that is absent.
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The value of <paramref name="key"/> in <see cref="Settings"/>, or <paramref name="fallback"/>.</summary>
    public string Setting(string key, string fallback) => Settings.TryGetValue(key, out var value) ? value : fallback;

    /// <summary>Returns (and creates) the service's own folder under <see cref="DataDirectory"/>.</summary>
    public string ServiceDirectory(string name)
    {
        var path = Path.Combine(DataDirectory, name);
        Directory.CreateDirectory(path);
        return path;
    }
}
