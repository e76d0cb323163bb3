using Npgsql;

namespace Opskit.PgTop.Settings;

/// <summary>
/// Connection settings the way psql takes them: a libpq URI (<c>postgresql://user@host:5432/db</c>), libpq
/// keyword/value pairs (<c>host=db1 port=5433 dbname=app</c>) or an Npgsql string (<c>Host=db1;Port=5433</c>),
/// completed from <c>-h/-p/-U/-d</c>, the <c>PG*</c> environment variables and <c>PGSERVICE</c>.
/// </summary>
internal static class ConnectionInfo
{
    private static readonly HashSet<string> LibpqKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service", "sslmode", "sslrootcert",
        "sslcert", "sslkey", "connect_timeout", "application_name", "options", "target_session_attrs", "channel_binding",
    };

    /// <summary>True for a libpq connection keyword (<c>host</c>, <c>port</c>, <c>dbname</c>...).</summary>
    public static bool IsLibpqKeyword(string key) => LibpqKeywords.Contains(key);

    /// <summary>True when <paramref name="text"/> is a connection string rather than a bare database name.</summary>
    public static bool LooksLikeConnectionString(string text) =>
        text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || text.Contains('=', StringComparison.Ordinal);

    /// <summary>Splits <c>--server</c>'s value into an optional name and the connection string.</summary>
    public static (string? Name, string ConnectionString) SplitNamed(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) && value.Contains("://", StringComparison.Ordinal))
        {
            return (null, value);
        }

        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0)
        {
            var head = value[..equals].Trim();
            if (!LibpqKeywords.Contains(head) && !head.Contains(' ', StringComparison.Ordinal) && !IsNpgsqlKeyword(head))
            {
                return (head, value[(equals + 1)..]);
            }
        }

        return (null, value);
    }

    /// <summary>Parses a URI, keyword/value pairs or an Npgsql string into a builder. Throws <see cref="FormatException"/>.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new NpgsqlConnectionStringBuilder();
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            ParseUri(text, builder);
        }
        else if (text.Contains(';', StringComparison.Ordinal) || !text.Contains('=', StringComparison.Ordinal))
        {
            try
            {
                builder.ConnectionString = text;
            }
            catch (ArgumentException ex)
            {
                throw new FormatException($"invalid connection string: {ex.Message}", ex);
            }
        }
        else
        {
            foreach (var (key, value) in KeywordValues(text))
            {
                Apply(builder, key, value);
            }
        }

        return builder;
    }

    /// <summary>
    /// Fills what is still unset from psql's sources, in psql's order: the service file entry, then the
    /// environment (<c>PGHOST</c>, <c>PGPORT</c>, <c>PGUSER</c>, <c>PGDATABASE</c>, <c>PGPASSWORD</c>), then the
    /// defaults (Unix socket, 5432, the login name, a database named like the user). The password file
    /// (<c>PGPASSFILE</c> or <c>~/.pgpass</c>) is read by Npgsql when no password is set.
    /// </summary>
    public static void ApplyDefaults(NpgsqlConnectionStringBuilder builder, Func<string, string?> environment, string? service)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(environment);
        service ??= environment("PGSERVICE");
        if (!string.IsNullOrEmpty(service))
        {
            foreach (var (key, value) in ServiceFile.Lookup(service, environment))
            {
                if (IsUnset(builder, key))
                {
                    Apply(builder, key, value);
                }
            }
        }

        builder.Host ??= environment("PGHOST") ?? DefaultHost();
        if (!IsSet(builder, "Port") && int.TryParse(environment("PGPORT"), out var envPort))
        {
            builder.Port = envPort;
        }

        builder.Username ??= environment("PGUSER") ?? Environment.UserName;
        builder.Database ??= environment("PGDATABASE") ?? builder.Username;
        builder.Password ??= environment("PGPASSWORD");
        if (builder.Password is null && builder.Passfile is null)
        {
            var passfile = environment("PGPASSFILE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pgpass");
            if (File.Exists(passfile))
            {
                builder.Passfile = passfile;
            }
        }
    }

    /// <summary>A display name for a server: <c>host:port/database</c>.</summary>
    public static string DisplayName(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }

    private static string DefaultHost() => Directory.Exists("/var/run/postgresql") ? "/var/run/postgresql" : "localhost";

    private static bool IsUnset(NpgsqlConnectionStringBuilder builder, string key) => key.ToLowerInvariant() switch
    {
        "host" or "hostaddr" => builder.Host is null,
        "port" => !IsSet(builder, "Port"),
        "dbname" => builder.Database is null,
        "user" => builder.Username is null,
        "password" => builder.Password is null,
        _ => true,
    };

    private static bool IsNpgsqlKeyword(string key) => new NpgsqlConnectionStringBuilder().ContainsKey(key);

    /// <summary>True when the key was given explicitly (the builder's properties report defaults otherwise).</summary>
    internal static bool IsSet(NpgsqlConnectionStringBuilder builder, string key) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = builder.ConnectionString }.ContainsKey(key);

    internal static void Apply(NpgsqlConnectionStringBuilder builder, string key, string value)
    {
        switch (key.ToLowerInvariant())
        {
            case "host":
            case "hostaddr":
                builder.Host = value;
                break;
            case "port":
                builder.Port = int.TryParse(value, out var port) && port is > 0 and < 65536 ? port : throw new FormatException($"invalid port '{value}'");
                break;
            case "dbname":
                builder.Database = value;
                break;
            case "user":
                builder.Username = value;
                break;
            case "password":
                builder.Password = value;
                break;
            case "passfile":
                builder.Passfile = value;
                break;
            case "sslmode":
                builder.SslMode = Enum.TryParse<SslMode>(value.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var mode)
                    ? mode
                    : throw new FormatException($"invalid sslmode '{value}'");
                break;
            case "sslrootcert":
                builder.RootCertificate = value;
                break;
            case "sslcert":
                builder.SslCertificate = value;
                break;
            case "sslkey":
                builder.SslKey = value;
                break;
            case "connect_timeout":
                builder.Timeout = int.TryParse(value, out var timeout) ? timeout : throw new FormatException($"invalid connect_timeout '{value}'");
                break;
            case "service":
            case "application_name":
            case "options":
            case "target_session_attrs":
            case "channel_binding":
                break; // application_name and options are the monitor's own; the rest has no Npgsql equivalent here.
            default:
                // Npgsql's own keywords (Database=, Timeout=...) are accepted in the keyword/value form too.
                if (!IsNpgsqlKeyword(key))
                {
                    throw new FormatException($"unknown connection keyword '{key}'");
                }

                try
                {
                    builder[key] = value;
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
                {
                    throw new FormatException($"invalid value for {key}", ex);
                }

                break;
        }
    }

    private static void ParseUri(string text, NpgsqlConnectionStringBuilder builder)
    {
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal) + 3;
        var rest = text[schemeEnd..];
        var query = string.Empty;
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        if (slash >= 0 && slash < rest.Length - 1)
        {
            builder.Database = Uri.UnescapeDataString(rest[(slash + 1)..]);
        }

        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var credentials = authority[..at];
            authority = authority[(at + 1)..];
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                builder.Username = Uri.UnescapeDataString(credentials[..colon]);
                builder.Password = Uri.UnescapeDataString(credentials[(colon + 1)..]);
            }
            else if (credentials.Length > 0)
            {
                builder.Username = Uri.UnescapeDataString(credentials);
            }
        }

        if (authority.Length > 0)
        {
            string host = authority;
            if (authority.StartsWith('['))
            {
                var close = authority.IndexOf(']', StringComparison.Ordinal);
                host = close > 0 ? authority[1..close] : throw new FormatException("invalid IPv6 host in URI");
                if (close + 1 < authority.Length && authority[close + 1] == ':')
                {
                    Apply(builder, "port", authority[(close + 2)..]);
                }
            }
            else if (authority.LastIndexOf(':') is var colon and > 0)
            {
                host = authority[..colon];
                Apply(builder, "port", authority[(colon + 1)..]);
            }

            if (host.Length > 0)
            {
                builder.Host = Uri.UnescapeDataString(host);
            }
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"invalid URI parameter '{pair}'");
            }

            Apply(builder, Uri.UnescapeDataString(pair[..eq]), Uri.UnescapeDataString(pair[(eq + 1)..]));
        }
    }

    /// <summary>libpq keyword/value pairs: <c>key=value</c>, values optionally in single quotes with backslash escapes.</summary>
    internal static IEnumerable<(string Key, string Value)> KeywordValues(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                yield break;
            }

            var keyStart = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var key = text[keyStart..i];
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length || text[i] != '=')
            {
                throw new FormatException($"missing '=' after '{key}' in connection string");
            }

            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var value = new System.Text.StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                while (i < text.Length && text[i] != '\'')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }

                if (i >= text.Length)
                {
                    throw new FormatException("unterminated quoted value in connection string");
                }

                i++;
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }
            }

            yield return (key, value.ToString());
        }
    }
}
