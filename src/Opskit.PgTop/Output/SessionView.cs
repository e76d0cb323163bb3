using Opskit.PgTop.Model;
using Opskit.PgTop.Settings;

namespace Opskit.PgTop.Output;

/// <summary>The sessions a screen or a one-shot output shows: filtered, idle ones only when asked for, sorted.</summary>
internal static class SessionView
{
    /// <summary>Sortable columns, in the order the TUI cycles through them.</summary>
    public static readonly string[] SortColumns =
        ["pid", "database", "user", "application", "client", "state", "wait", "xact_age", "query_age", "backend_age", "query"];

    public static List<Session> Select(Snapshot snapshot, SessionFilter filter, bool showIdle, string sortColumn, bool descending)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(filter);
        var rows = new List<Session>(snapshot.Sessions.Count);
        foreach (var session in snapshot.Sessions)
        {
            if ((showIdle || !session.IsIdle) && filter.Matches(session))
            {
                rows.Add(session);
            }
        }

        var comparison = Comparison(sortColumn);
        rows.Sort(descending ? (a, b) => comparison(b, a) : comparison);
        return rows;
    }

    private static Comparison<Session> Comparison(string column) => column switch
    {
        "pid" => static (a, b) => a.Pid.CompareTo(b.Pid),
        "database" => static (a, b) => string.CompareOrdinal(a.Database, b.Database),
        "user" => static (a, b) => string.CompareOrdinal(a.User, b.User),
        "application" => static (a, b) => string.CompareOrdinal(a.Application, b.Application),
        "client" => static (a, b) => string.CompareOrdinal(a.Client, b.Client),
        "state" => static (a, b) => string.CompareOrdinal(a.State, b.State),
        "wait" => static (a, b) => string.CompareOrdinal(a.WaitEvent, b.WaitEvent),
        "xact_age" => static (a, b) => Nullable.Compare(a.XactAgeSeconds, b.XactAgeSeconds),
        "backend_age" => static (a, b) => Nullable.Compare(a.BackendAgeSeconds, b.BackendAgeSeconds),
        "query" => static (a, b) => string.CompareOrdinal(a.Query, b.Query),
        _ => static (a, b) => Nullable.Compare(a.QueryAgeSeconds, b.QueryAgeSeconds),
    };
}
