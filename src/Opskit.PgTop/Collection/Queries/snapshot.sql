-- One refresh: the header (kind 0), the activity list (kind 1) and the standbys (kind 2) in one statement,
-- so that a refresh is one round trip and one snapshot of pg_stat_activity. Column meaning by kind is in
-- SnapshotReader.cs. The monitor's own backend is never listed; pg_blocking_pids() runs only for sessions
-- waiting on a heavyweight lock. @idle: include idle sessions (their count is in the header either way).
WITH act AS MATERIALIZED (
    SELECT a.pid, a.leader_pid, a.backend_type, a.datname, a.usename, a.application_name,
           COALESCE(host(a.client_addr), CASE WHEN a.client_port = -1 THEN 'local' END) AS client,
           a.state, a.wait_event_type, a.wait_event, a.xact_start, a.query_start, a.backend_start,
           a.state_change, /*query_id*/a.query_id AS query_id, a.query, a.backend_xmin,
           CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END AS blocked_by
    FROM pg_stat_activity a
    WHERE a.pid <> pg_backend_pid()
),
blockers AS (
    SELECT DISTINCT unnest(blocked_by) AS pid FROM act WHERE blocked_by IS NOT NULL
),
clients AS (
    -- Without pg_read_all_stats, other roles' sessions show only pid, user and database: counted as clients.
    SELECT * FROM act WHERE backend_type = 'client backend' OR (backend_type IS NULL AND usename IS NOT NULL)
),
oldest_xact AS (
    SELECT pid, extract(epoch FROM now() - xact_start)::float8 AS age FROM clients
    WHERE xact_start IS NOT NULL ORDER BY xact_start LIMIT 1
),
oldest_xmin AS (
    SELECT pid, age(backend_xmin)::float8 AS age FROM act
    WHERE backend_xmin IS NOT NULL ORDER BY age(backend_xmin) DESC LIMIT 1
),
db AS (
    SELECT sum(xact_commit + xact_rollback)::float8 AS xacts, sum(blks_hit)::float8 AS hit, sum(blks_read)::float8 AS rd,
           sum(tup_inserted)::float8 AS ins, sum(tup_updated)::float8 AS upd, sum(tup_deleted)::float8 AS del,
           extract(epoch FROM max(stats_reset))::float8 AS reset
    FROM pg_stat_database
)
SELECT 0 AS kind, NULL::int AS pid, NULL::int AS leader_pid, NULL::text AS backend_type, NULL::name AS datname,
       NULL::name AS usename, NULL::text AS application_name, NULL::text AS client, NULL::text AS state,
       NULL::text AS wait_event_type, NULL::text AS wait_event, NULL::float8 AS xact_age, NULL::float8 AS query_age,
       NULL::float8 AS backend_age, NULL::float8 AS state_age, NULL::bigint AS query_id, NULL::text AS query,
       NULL::int[] AS blocked_by, now() AS query_start,
       ARRAY[
           (SELECT count(*) FROM clients),
           (SELECT count(*) FROM clients WHERE state = 'active'),
           (SELECT count(*) FROM clients WHERE state = 'idle'),
           (SELECT count(*) FROM clients WHERE state = 'idle in transaction'),
           (SELECT count(*) FROM clients WHERE state = 'idle in transaction (aborted)'),
           (SELECT count(*) FROM act WHERE blocked_by IS NOT NULL),
           db.xacts, db.hit, db.rd, db.ins, db.upd, db.del, db.reset,
           CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END,
           CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END,
           (SELECT pid FROM oldest_xact), (SELECT age FROM oldest_xact),
           (SELECT pid FROM oldest_xmin), (SELECT age FROM oldest_xmin)
       ]::float8[] AS header
FROM db
UNION ALL
SELECT 1, a.pid, a.leader_pid, a.backend_type, a.datname, a.usename, a.application_name, a.client, a.state,
       a.wait_event_type, a.wait_event,
       extract(epoch FROM now() - a.xact_start)::float8,
       extract(epoch FROM now() - a.query_start)::float8,
       extract(epoch FROM now() - a.backend_start)::float8,
       extract(epoch FROM now() - a.state_change)::float8,
       a.query_id, a.query, a.blocked_by, a.query_start, NULL
FROM act a
WHERE (a.state IS NOT NULL AND (a.state <> 'idle' OR @idle))
   OR (a.state IS NULL AND a.backend_type IS NULL AND a.usename IS NOT NULL)
   OR a.pid IN (SELECT pid FROM blockers)
UNION ALL
SELECT 2, r.pid, NULL, NULL, NULL, r.usename, r.application_name, host(r.client_addr), r.state, NULL, NULL,
       extract(epoch FROM r.write_lag)::float8, extract(epoch FROM r.flush_lag)::float8,
       extract(epoch FROM r.replay_lag)::float8, NULL,
       CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::bigint END,
       NULL, NULL, NULL, NULL
FROM pg_stat_replication r
