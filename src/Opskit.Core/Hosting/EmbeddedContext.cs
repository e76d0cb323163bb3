using Microsoft.Extensions.Logging;

namespace Opskit.Core.Hosting;

/// <summary>What <c>opskit up</c> hands every service it starts.</summary>
/// <param name="DataDirectory">Root for the service's files; each service uses its own subfolder.</param>
/// <param name="LoggerFactory">Shared logging, so every service logs in one format to one place.</param>
public sealed record EmbeddedContext(string DataDirectory, ILoggerFactory LoggerFactory)
{
    /// <summary>Returns (and creates) the service's own folder under <see cref="DataDirectory"/>.</summary>
    public string ServiceDirectory(string name)
    {
        var path = Path.Combine(DataDirectory, name);
        Directory.CreateDirectory(path);
        return path;
    }
}
