-- Only on request (key d or --db-size): pg_database_size() reads every file of every database.
SELECT datname, pg_database_size(oid) FROM pg_database WHERE datallowconn ORDER BY 2 DESC
