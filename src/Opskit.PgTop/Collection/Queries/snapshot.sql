-- One refresh: the header (kind 0), the activity list (kind 1) and the standbys (kind 2) in one statement,
-- so that a refresh is one round trip and one snapshot of pg_stat_activity. Column meaning by kind is in
-- SnapshotReader.cs. The monitor's own backend is never listed; pg_blocking_pids() runs only for sessions
-- waiting on a heavyweight lock. @idle: include idle sessions (their count is in the header either way).
WITH act AS MATERIALIZED (
    -- Idle sessions keep their last query text out of the materialized rows unless they are shown.
    SELECT a.pid, a.leader_pid, a.backend_type, a.datname, a.usename, a.application_name,
           COALESCE(host(a.client_addr), CASE WHEN a.client_port = -1 THEN 'local' END) AS client,
           a.state, a.wait_event_type, a.wait_event, a.xact_start, a.query_start, a.backend_start,
           a.state_change, /*query_id*/a.query_id AS query_id,
           CASE WHEN a.state IS DISTINCT FROM 'idle' OR @idle THEN a.query END AS query, a.backend_xmin,
           CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END AS blocked_by,
           -- Without pg_read_all_stats, other roles' sessions show only pid, user and database: counted as clients.
           (a.backend_type = 'client backend' OR (a.backend_type IS NULL AND a.usename IS NOT NULL)) AS is_client
    FROM pg_stat_activity a
    WHERE a.pid <> pg_backend_pid()
),
-- When each lock waiter began to wait (pg_locks.waitstart, PostgreSQL 14+; an empty set before, see QueryText).
-- pg_locks (all lock partitions) is read only when some session waits on a lock: a one-time filter.
waits AS (/*waits*/
    SELECT l.pid, min(l.waitstart) AS waitstart
    FROM pg_locks l
    WHERE NOT l.granted AND l.waitstart IS NOT NULL
      AND EXISTS (SELECT 1 FROM act WHERE wait_event_type = 'Lock')
    GROUP BY l.pid
/*end waits*/),
blockers AS (
    SELECT DISTINCT unnest(blocked_by) AS pid FROM act WHERE blocked_by IS NOT NULL
),
-- Every header number over the sessions in one pass.
counts AS (
    SELECT count(*) FILTER (WHERE is_client) AS total,
           count(*) FILTER (WHERE is_client AND state = 'active') AS active,
           count(*) FILTER (WHERE is_client AND state = 'idle') AS idle,
           count(*) FILTER (WHERE is_client AND state = 'idle in transaction') AS iit,
           count(*) FILTER (WHERE is_client AND state = 'idle in transaction (aborted)') AS iita,
           count(*) FILTER (WHERE blocked_by IS NOT NULL) AS waiting,
           (array_agg(pid ORDER BY xact_start) FILTER (WHERE is_client AND xact_start IS NOT NULL))[1] AS oldest_xact_pid,
           extract(epoch FROM now() - min(xact_start) FILTER (WHERE is_client))::float8 AS oldest_xact_age,
           (array_agg(pid ORDER BY age(backend_xmin) DESC) FILTER (WHERE backend_xmin IS NOT NULL))[1] AS oldest_xmin_pid,
           max(age(backend_xmin))::float8 AS oldest_xmin_age
    FROM act
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
       NULL::float8 AS backend_age, NULL::float8 AS state_age, NULL::bigint AS query_id, NULL::bytea AS query,
       NULL::int[] AS blocked_by, now() AS query_start,
       ARRAY[
           c.total, c.active, c.idle, c.iit, c.iita, c.waiting,
           db.xacts, db.hit, db.rd, db.ins, db.upd, db.del, db.reset,
           CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END,
           CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END,
           c.oldest_xact_pid, c.oldest_xact_age, c.oldest_xmin_pid, c.oldest_xmin_age
       ]::float8[] AS header, NULL::float8 AS lock_wait_age
FROM db, counts c
UNION ALL
SELECT 1, a.pid, a.leader_pid, a.backend_type, a.datname, a.usename, a.application_name, a.client, a.state,
       a.wait_event_type, a.wait_event,
       extract(epoch FROM now() - a.xact_start)::float8,
       extract(epoch FROM now() - a.query_start)::float8,
       extract(epoch FROM now() - a.backend_start)::float8,
       extract(epoch FROM now() - a.state_change)::float8,
       -- The raw bytes: a query from a database in another encoding (LATIN1...) is not valid UTF-8 here.
       a.query_id, textsend(a.query), a.blocked_by, a.query_start, NULL,
       (SELECT extract(epoch FROM now() - w.waitstart)::float8 FROM waits w WHERE w.pid = a.pid)
FROM act a
WHERE (a.state IS NOT NULL AND (a.state <> 'idle' OR @idle))
   OR (a.state IS NULL AND a.backend_type IS NULL AND a.usename IS NOT NULL)
   OR a.pid IN (SELECT pid FROM blockers)
UNION ALL
SELECT 2, r.pid, NULL, NULL, NULL, r.usename, r.application_name, host(r.client_addr), r.state, NULL, NULL,
       extract(epoch FROM r.write_lag)::float8, extract(epoch FROM r.flush_lag)::float8,
       extract(epoch FROM r.replay_lag)::float8, NULL,
       CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::bigint END,
       NULL, NULL, NULL, NULL, NULL
FROM pg_stat_replication r
-- A one-time filter: the view (another pg_stat_get_activity scan) is read only when a WAL sender exists.
WHERE EXISTS (SELECT 1 FROM act WHERE backend_type = 'walsender')
