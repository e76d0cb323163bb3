-- pg_stat_statements, in whatever schema holds it; {schema} and the time columns are filled in for the
-- server's version (total_exec_time from PostgreSQL 13, total_time before).
SELECT s.queryid, r.rolname, d.datname, s.calls, s.{total}::float8, s.{mean}::float8, s.rows,
       s.shared_blks_hit, s.shared_blks_read, s.query
FROM {schema}.pg_stat_statements s
LEFT JOIN pg_roles r ON r.oid = s.userid
LEFT JOIN pg_database d ON d.oid = s.dbid
ORDER BY s.{total} DESC
LIMIT @limit
