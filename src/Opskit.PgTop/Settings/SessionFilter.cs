using Opskit.PgTop.Model;

namespace Opskit.PgTop.Settings;

/// <summary>Filters by user, database, client, application, state and query text; null fields match everything.</summary>
internal sealed record SessionFilter(TextFilter? User = null, TextFilter? Database = null, TextFilter? Client = null, TextFilter? Application = null, TextFilter? State = null, TextFilter? Query = null)
{
    public static SessionFilter None { get; } = new();

    public bool IsEmpty => User is null && Database is null && Client is null && Application is null && State is null && Query is null;

    public bool Matches(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return (User?.Matches(session.User) ?? true)
            && (Database?.Matches(session.Database) ?? true)
            && (Client?.Matches(session.Client) ?? true)
            && (Application?.Matches(session.Application) ?? true)
            && (State?.Matches(session.State) ?? true)
            && (Query?.Matches(session.Query) ?? true);
    }

    /// <summary>
    /// Parses the TUI's filter line: <c>field=value</c> pairs separated by spaces (fields user, db, client, app,
    /// state, query; a bare word filters the query text). A value may be <c>/regex/</c>.
    /// </summary>
    public static SessionFilter ParseLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var filter = None;
        foreach (var part in line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var field = eq > 0 ? part[..eq].ToLowerInvariant() : "query";
            var value = TextFilter.Parse(eq > 0 ? part[(eq + 1)..] : part);
            filter = field switch
            {
                "user" or "u" => filter with { User = value },
                "db" or "database" or "d" => filter with { Database = value },
                "client" or "c" => filter with { Client = value },
                "app" or "application" or "a" => filter with { Application = value },
                "state" or "s" => filter with { State = value },
                "query" or "q" => filter with { Query = value },
                _ => throw new FormatException($"unknown filter field '{field}' (user, db, client, app, state, query)"),
            };
        }

        return filter;
    }

    public override string ToString()
    {
        var parts = new List<string>();
        Add("user", User);
        Add("db", Database);
        Add("client", Client);
        Add("app", Application);
        Add("state", State);
        Add("query", Query);
        return string.Join(' ', parts);

        void Add(string name, TextFilter? value)
        {
            if (value is not null)
            {
                parts.Add($"{name}={value.Source}");
            }
        }
    }
}
