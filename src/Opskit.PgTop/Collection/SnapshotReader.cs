using Npgsql;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Collection;

/// <summary>Reads the rows of <c>snapshot.sql</c>: kind 0 is the header, 1 a session, 2 a standby.</summary>
internal static class SnapshotReader
{
    // Column ordinals of snapshot.sql.
    private const int Kind = 0, Pid = 1, LeaderPid = 2, BackendType = 3, Database = 4, User = 5, Application = 6, Client = 7,
        State = 8, WaitEventType = 9, WaitEvent = 10, XactAge = 11, QueryAge = 12, BackendAge = 13, StateAge = 14,
        QueryId = 15, Query = 16, BlockedBy = 17, QueryStart = 18, Header = 19, LockWaitAge = 20;

    internal sealed record Raw(
        DateTime TakenAt,
        bool InRecovery,
        IReadOnlyList<Session> Sessions,
        StateCounts Counts,
        DatabaseCounters Counters,
        IReadOnlyList<StandbyLag> Standbys,
        double? ReplayDelaySeconds,
        OldestSession? OldestTransaction,
        OldestSession? OldestXmin);

    public static async Task<Raw> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var sessions = new List<Session>();
        var standbys = new List<StandbyLag>();
        double?[] header = [];
        var takenAt = DateTime.UtcNow;
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (reader.GetInt32(Kind))
                {
                    case 0:
                        takenAt = reader.GetDateTime(QueryStart);
                        header = reader.GetFieldValue<double?[]>(Header);
                        break;
                    case 1:
                        sessions.Add(ReadSession(reader));
                        break;
                    default:
                        standbys.Add(new StandbyLag(
                            String(reader, Application), String(reader, Client), String(reader, State),
                            Double(reader, XactAge), Double(reader, QueryAge), Double(reader, BackendAge),
                            reader.IsDBNull(QueryId) ? null : reader.GetInt64(QueryId)));
                        break;
                }
            }
        }

        if (header.Length < 19)
        {
            throw new CollectorException("the snapshot statement returned no header row");
        }

        var counts = new StateCounts(
            Int(header[0]), Int(header[1]), Int(header[2]), Int(header[3]), Int(header[4]), Int(header[5]),
            Int(header[0]) - Int(header[1]) - Int(header[2]) - Int(header[3]) - Int(header[4]));
        var counters = new DatabaseCounters(
            Long(header[6]), Long(header[7]), Long(header[8]), Long(header[9]), Long(header[10]), Long(header[11]),
            header[12] is { } reset ? DateTime.UnixEpoch.AddSeconds(reset) : null);
        return new Raw(
            takenAt,
            header[13] == 1,
            sessions,
            counts,
            counters,
            standbys,
            header[14],
            Oldest(header[15], header[16], sessions),
            Oldest(header[17], header[18], sessions));
    }

    private static Session ReadSession(NpgsqlDataReader reader) => new()
    {
        Pid = reader.GetInt32(Pid),
        LeaderPid = reader.IsDBNull(LeaderPid) ? null : reader.GetInt32(LeaderPid),
        BackendType = String(reader, BackendType) ?? string.Empty,
        Database = String(reader, Database),
        User = String(reader, User),
        Application = String(reader, Application),
        Client = String(reader, Client),
        State = String(reader, State),
        WaitEventType = String(reader, WaitEventType),
        WaitEvent = String(reader, WaitEvent),
        XactAgeSeconds = Double(reader, XactAge),
        QueryAgeSeconds = Double(reader, QueryAge),
        BackendAgeSeconds = Double(reader, BackendAge),
        StateAgeSeconds = Double(reader, StateAge),
        QueryId = reader.IsDBNull(QueryId) ? null : reader.GetInt64(QueryId),
        Query = reader.IsDBNull(Query) ? null : QueryTextDecoder.Decode(reader.GetFieldValue<byte[]>(Query)),
        BlockedBy = reader.IsDBNull(BlockedBy) ? [] : reader.GetFieldValue<int[]>(BlockedBy),
        QueryStart = reader.IsDBNull(QueryStart) ? null : reader.GetDateTime(QueryStart),
        LockWaitSeconds = Double(reader, LockWaitAge),
    };

    private static OldestSession? Oldest(double? pid, double? age, List<Session> sessions)
    {
        if (pid is not { } p || age is not { } a)
        {
            return null;
        }

        var found = sessions.Find(s => s.Pid == (int)p);
        return new OldestSession((int)p, a, found?.User, found?.Database);
    }

    private static string? String(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static double? Double(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);

    private static int Int(double? value) => value is { } v ? (int)v : 0;

    private static long Long(double? value) => value is { } v ? (long)v : 0;
}
