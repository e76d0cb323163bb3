using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Tests.Support;

/// <summary>
/// Loads a recorded server (<c>Recorded/*.txt</c>) into a <see cref="ServerSnapshot"/>, so MySQL-only rules run
/// through the same rule engine as a live server. Sections: <c>version:</c> and <c>version_comment:</c> lines, then
/// <c>[SHOW GLOBAL VARIABLES]</c> (name TAB value), one <c>[SHOW ... STATUS]</c> per channel (<c>Column: value</c>,
/// as <c>\G</c> prints it), <c>[engines]</c>, <c>[variable sources]</c> and <c>[stats tables]</c> (name TAB error, empty when readable).
/// </summary>
public static class RecordedServer
{
    /// <summary>Reads <c>Recorded/<paramref name="name"/></c>.</summary>
    public static ServerSnapshot Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Recorded", name);
        string? version = null;
        string? comment = null;
        var variables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var channels = new List<Dictionary<string, string?>>();
        var engines = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var sources = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var stats = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var section = string.Empty;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                section = line.Trim('[', ']');
                if (section.EndsWith("STATUS", StringComparison.Ordinal))
                {
                    channels.Add(new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase));
                }

                continue;
            }

            if (section.Length == 0)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var (key, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
                if (key == "version")
                {
                    version = value;
                }
                else if (key == "version_comment")
                {
                    comment = value;
                }

                continue;
            }

            if (section.EndsWith("STATUS", StringComparison.Ordinal))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var value = line[(colon + 1)..].Trim();
                channels[^1][line[..colon].Trim()] = value == "NULL" ? null : value;
                continue;
            }

            var parts = line.Split('\t');
            var second = parts.Length > 1 ? parts[1] : string.Empty;
            switch (section)
            {
                case "SHOW GLOBAL VARIABLES":
                    variables[parts[0]] = second;
                    break;
                case "engines":
                    engines[parts[0]] = second;
                    break;
                case "variable sources":
                    sources[parts[0]] = second;
                    break;
                case "stats tables":
                    stats[parts[0]] = second.Length == 0 ? null : second;
                    break;
                default:
                    throw new InvalidDataException($"{name}: unknown section [{section}]");
            }
        }

        return new ServerSnapshot
        {
            Version = ServerVersion.Parse(version ?? throw new InvalidDataException($"{name}: no version"), comment)
                ?? throw new InvalidDataException($"{name}: bad version {version}"),
            Variables = variables,
            Channels = channels.Select(c => new ReplicaChannel(c)).ToList(),
            MetaTableEngines = engines,
            VariableSources = sources,
            StatsTables = stats,
        };
    }
}
