-- Once per connection: what does not change while the server runs (a restart means a new connection).
SELECT current_setting('server_version'), current_setting('server_version_num')::int,
       pg_postmaster_start_time(), current_setting('max_connections')::int,
       pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
       pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
