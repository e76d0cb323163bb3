namespace Opskit.PgTop.Settings;

/// <summary>libpq's connection service file (<c>PGSERVICEFILE</c>, <c>~/.pg_service.conf</c>, then the system one).</summary>
internal static class ServiceFile
{
    public static IReadOnlyList<(string Key, string Value)> Lookup(string service, Func<string, string?> environment)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string?[] candidates =
        [
            environment("PGSERVICEFILE"),
            Path.Combine(home, ".pg_service.conf"),
            environment("PGSYSCONFDIR") is { } dir ? Path.Combine(dir, "pg_service.conf") : null,
            "/etc/postgresql-common/pg_service.conf",
        ];
        foreach (var file in candidates)
        {
            if (file is not null && File.Exists(file) && Read(file, service) is { } found)
            {
                return found;
            }
        }

        throw new FormatException($"service '{service}' not found in any connection service file");
    }

    internal static List<(string, string)>? Read(string file, string service)
    {
        List<(string, string)>? result = null;
        var inSection = false;
        foreach (var raw in File.ReadLines(file))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                if (inSection)
                {
                    break;
                }

                inSection = line[1..^1] == service;
                if (inSection)
                {
                    result = [];
                }

                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (inSection && eq > 0)
            {
                result!.Add((line[..eq].Trim(), line[(eq + 1)..].Trim()));
            }
        }

        return result;
    }
}
