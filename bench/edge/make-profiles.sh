#!/usr/bin/env bash
# Builds a profiles file with N rows (default 10M) for the benchmarks: ids user-00000000, user-00000002, ...
# (every even number), so that of the ids user-00000000..user-(2N-1) exactly half have a profile.
# Usage: bench/edge/make-profiles.sh OUT [ROWS]
set -euo pipefail
out=${1:?usage: make-profiles.sh OUT [ROWS]}
rows=${2:-10000000}
tmp="$(dirname "$out")/.$(basename "$out").tmp-$$"
rm -f "$tmp"
sqlite3 "$tmp" <<SQL
PRAGMA journal_mode=DELETE;
PRAGMA synchronous=OFF;
PRAGMA cache_size=-262144;
CREATE TABLE user_profiles(profile_id TEXT PRIMARY KEY NOT NULL, data TEXT) WITHOUT ROWID;
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < $rows - 1)
INSERT INTO user_profiles SELECT printf('user-%08d', i * 2), '{"articles":5,"reads":9,"last_read":1764150000}' FROM c;
SQL
sync "$tmp"
mv -f "$tmp" "$out"
echo "$out: $rows rows, $(stat -c %s "$out") bytes"
