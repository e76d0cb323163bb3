using System.Text.Json;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Output;

/// <summary>The JSON document of one server's snapshot (schema in docs/pgtop.md).</summary>
internal static class JsonSnapshotWriter
{
    public static void Write(Utf8JsonWriter json, Snapshot snapshot, IReadOnlyList<Session> sessions, Checks checks, double slowThreshold)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(checks);
        json.WriteStartObject();
        json.WriteStartObject("server");
        json.WriteString("name", snapshot.Server.Name);
        json.WriteString("version", snapshot.Server.Version);
        json.WriteNumber("version_num", snapshot.Server.VersionNumber);
        json.WriteBoolean("in_recovery", snapshot.Server.InRecovery);
        if (snapshot.Server.StartTime is { } start)
        {
            json.WriteString("start_time", start);
            json.WriteNumber("uptime_s", Math.Round((snapshot.TakenAt - start).TotalSeconds, 3));
        }

        json.WriteNumber("max_connections", snapshot.Server.MaxConnections);
        json.WriteEndObject();
        json.WriteString("taken_at", snapshot.TakenAt);

        json.WriteStartArray("sessions");
        foreach (var session in sessions)
        {
            WriteSession(json, session, slowThreshold);
        }

        json.WriteEndArray();

        json.WriteStartArray("lock_tree");
        foreach (var root in snapshot.LockTree)
        {
            WriteLockNode(json, root);
        }

        json.WriteEndArray();

        json.WriteStartObject("totals");
        var counts = snapshot.Counts;
        json.WriteNumber("sessions", counts.Total);
        json.WriteNumber("active", counts.Active);
        json.WriteNumber("idle", counts.Idle);
        json.WriteNumber("idle_in_transaction", counts.IdleInTransaction);
        json.WriteNumber("idle_in_transaction_aborted", counts.IdleInTransactionAborted);
        json.WriteNumber("waiting_on_lock", counts.WaitingOnLock);
        json.WriteNumber("max_connections", snapshot.Server.MaxConnections);
        json.WriteNumber("shown", sessions.Count);
        json.WriteNumber("slow", checks.Slow);
        json.WriteNumber("blocked", checks.Blocked);
        json.WriteNumber("idle_in_transaction_over_threshold", checks.IdleInTransaction);
        Number(json, "cache_hit_ratio", snapshot.CacheHitRatio, 4);
        Number(json, "tps", snapshot.Rates?.TransactionsPerSecond, 2);
        Number(json, "inserted_per_s", snapshot.Rates?.InsertedPerSecond, 2);
        Number(json, "updated_per_s", snapshot.Rates?.UpdatedPerSecond, 2);
        Number(json, "deleted_per_s", snapshot.Rates?.DeletedPerSecond, 2);
        json.WriteBoolean("stats_reset", snapshot.Rates?.Reset ?? false);
        json.WriteEndObject();

        json.WriteStartObject("replication");
        Number(json, "replay_delay_s", snapshot.ReplayDelaySeconds, 3);
        json.WriteStartArray("standbys");
        foreach (var standby in snapshot.Standbys)
        {
            json.WriteStartObject();
            json.WriteString("application", standby.Application);
            json.WriteString("client", standby.Client);
            json.WriteString("state", standby.State);
            Number(json, "write_lag_s", standby.WriteLagSeconds, 3);
            Number(json, "flush_lag_s", standby.FlushLagSeconds, 3);
            Number(json, "replay_lag_s", standby.ReplayLagSeconds, 3);
            if (standby.ReplayLagBytes is { } bytes)
            {
                json.WriteNumber("replay_lag_bytes", bytes);
            }
            else
            {
                json.WriteNull("replay_lag_bytes");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();

        Oldest(json, "oldest_transaction", snapshot.OldestTransaction, "age_s");
        Oldest(json, "oldest_xmin", snapshot.OldestXmin, "xid_age");

        if (snapshot.DatabaseSizes is { } sizes)
        {
            json.WriteStartArray("database_sizes");
            foreach (var size in sizes)
            {
                json.WriteStartObject();
                json.WriteString("name", size.Name);
                json.WriteNumber("bytes", size.Bytes);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteStartArray("notes");
        foreach (var note in snapshot.Notes)
        {
            json.WriteStringValue(note);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSession(Utf8JsonWriter json, Session s, double slowThreshold)
    {
        json.WriteStartObject();
        json.WriteNumber("pid", s.Pid);
        if (s.LeaderPid is { } leader)
        {
            json.WriteNumber("leader_pid", leader);
        }
        else
        {
            json.WriteNull("leader_pid");
        }

        json.WriteString("backend_type", s.BackendType);
        json.WriteString("database", s.Database);
        json.WriteString("user", s.User);
        json.WriteString("application", s.Application);
        json.WriteString("client", s.Client);
        json.WriteString("state", s.State);
        json.WriteString("wait_event_type", s.WaitEventType);
        json.WriteString("wait_event", s.WaitEvent);
        Number(json, "xact_age_s", s.XactAgeSeconds, 3);
        Number(json, "query_age_s", s.QueryAgeSeconds, 3);
        Number(json, "backend_age_s", s.BackendAgeSeconds, 3);
        Number(json, "state_age_s", s.StateAgeSeconds, 3);
        Number(json, "lock_wait_s", s.LockWaitSeconds, 3);
        if (s.QueryId is { } id)
        {
            json.WriteNumber("query_id", id);
        }
        else
        {
            json.WriteNull("query_id");
        }

        json.WriteStartArray("blocked_by");
        foreach (var pid in s.BlockedBy)
        {
            json.WriteNumberValue(pid);
        }

        json.WriteEndArray();
        json.WriteBoolean("slow", s.IsSlow(slowThreshold));
        json.WriteString("query", s.Query);
        json.WriteEndObject();
    }

    private static void WriteLockNode(Utf8JsonWriter json, LockNode node)
    {
        json.WriteStartObject();
        json.WriteNumber("pid", node.Pid);
        json.WriteString("user", node.Session.User);
        json.WriteString("database", node.Session.Database);
        json.WriteString("state", node.Session.State);
        Number(json, "query_age_s", node.Session.QueryAgeSeconds, 3);
        json.WriteNumber("blocked_count", node.BlockedCount);
        json.WriteNumber("max_wait_s", Math.Round(node.MaxWaitSeconds, 3));
        json.WriteString("query", node.Session.Query);
        json.WriteStartArray("blocked");
        foreach (var child in node.Blocked)
        {
            WriteLockNode(json, child);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Oldest(Utf8JsonWriter json, string name, OldestSession? oldest, string ageName)
    {
        if (oldest is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteNumber("pid", oldest.Pid);
        json.WriteNumber(ageName, Math.Round(oldest.AgeSeconds, 3));
        json.WriteString("user", oldest.User);
        json.WriteString("database", oldest.Database);
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, double? value, int digits)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, Math.Round(v, digits));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
