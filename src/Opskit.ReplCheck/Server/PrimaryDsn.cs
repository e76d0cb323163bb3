namespace Opskit.ReplCheck.Server;

/// <summary>
/// Parses <c>--primary</c>: a Percona Toolkit DSN (<c>h=host,P=3306,u=user,p=secret,S=/path/sock</c>) or
/// <c>host[:port]</c>. User, password and timeout not given are taken from the replica's connection.
/// </summary>
internal static class PrimaryDsn
{
    /// <exception cref="FormatException">An unknown DSN key or a bad port.</exception>
    public static ConnectionSettings Parse(string text, ConnectionSettings replica)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(replica);
        var result = replica with { Host = "localhost", Port = 3306, Socket = ConnectionSettings.DefaultSocket };
        if (!text.Contains('=', StringComparison.Ordinal))
        {
            var colon = text.LastIndexOf(':');
            return colon > 0
                ? result with { Host = text[..colon], Port = ConnectionSettings.ParsePort(text[(colon + 1)..]) }
                : result with { Host = text };
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"--primary: '{part}' is not key=value (keys h, P, u, p, S)");
            }

            var value = part[(equals + 1)..];
            result = part[..equals] switch
            {
                "h" => result with { Host = value },
                "P" => result with { Port = ConnectionSettings.ParsePort(value) },
                "u" => result with { User = value },
                "p" => result with { Password = value },
                "S" => result with { Socket = value, Host = "localhost" },
                var key => throw new FormatException($"--primary: unknown DSN key '{key}' (keys h, P, u, p, S)"),
            };
        }

        return result;
    }
}
