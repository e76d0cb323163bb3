#!/usr/bin/env bash
# bench/pgtop: opskit pgtop against pg_activity on the same throwaway PostgreSQL, same run, same terminal size.
# Load: 1,000 idle sessions, 50 running pg_sleep, one session holding a row lock with 5 waiting on it.
# Each tool watches it for DURATION seconds at a 1 s refresh inside tmux (200x50), as its own role; then we read
# its client CPU (utime+stime from /proc), peak RSS (VmHWM) and the server-side time of the statements its role
# sent (pg_stat_statements total_exec_time + total_plan_time, track_planning on). Prints a table and the ratios.
# Needs: postgresql, pg-activity, tmux, python3-psycopg2 (all Debian packages). Run as root or a normal user.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION="${DURATION:-60}"
IDLE="${IDLE:-1000}" SLEEPING="${SLEEPING:-50}" WAITERS="${WAITERS:-5}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
PORT="${PORT:-25999}"
work="$(mktemp -d /tmp/bench-pgtop-XXXXXX)"
as_pg=()
if [[ $(id -u) -eq 0 ]]; then chown postgres "$work"; as_pg=(runuser -u postgres --); fi
sock="tmux-bench-pgtop-$$"
load_pid=""
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  [[ -n "$load_pid" ]] && kill "$load_pid" 2>/dev/null || true
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "building opskit (Release)..." >&2
dotnet build "$root/src/Opskit/Opskit.csproj" -c Release --nologo -v quiet >/dev/null
dll="$root/src/Opskit/bin/Release/net10.0/opskit.dll"

"${as_pg[@]}" "$PGBIN/initdb" -D "$work/data" -U postgres -A trust --no-sync >/dev/null
cat >> "$work/data/postgresql.conf" <<CONF
max_connections = $((IDLE + SLEEPING + WAITERS + 50))
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
pg_stat_statements.track_planning = on
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$work'
fsync = off
CONF
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 120 start >/dev/null
psql_() { psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
psql_ -c "CREATE EXTENSION pg_stat_statements; CREATE ROLE bench_pga LOGIN SUPERUSER; CREATE ROLE bench_opskit LOGIN SUPERUSER;"

/usr/bin/python3 "$root/bench/pgtop/load.py" "host=127.0.0.1 port=$PORT user=postgres dbname=postgres" "$IDLE" "$SLEEPING" "$WAITERS" > "$work/load.out" 2>&1 &
load_pid=$!
for _ in $(seq 1 600); do grep -q ready "$work/load.out" 2>/dev/null && break; sleep 0.5; done
grep -q ready "$work/load.out" || { echo "load did not start: $(cat "$work/load.out")" >&2; exit 1; }
echo "load: $(psql_ -At -c "SELECT count(*) FILTER (WHERE state = 'idle') || ' idle, ' || count(*) FILTER (WHERE wait_event = 'PgSleep') || ' pg_sleep, ' || count(*) FILTER (WHERE wait_event_type = 'Lock') || ' lock waiters' FROM pg_stat_activity")" >&2

# watch NAME ROLE COMMAND...: runs COMMAND in tmux for DURATION s; prints "cpu_s rss_mb server_ms calls".
watch() {
  local name="$1" role="$2"; shift 2
  psql_ -c "SELECT pg_stat_statements_reset()" >/dev/null
  tmux -L "$sock" new-session -d -s "$name" -x 200 -y 50 "exec $*"
  local pid; pid="$(tmux -L "$sock" display-message -p -t "$name" '#{pane_pid}')"
  sleep "$DURATION"
  local ticks hz rss
  ticks="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
  hz="$(getconf CLK_TCK)"
  rss="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"
  tmux -L "$sock" capture-pane -p -t "$name" > "$work/$name.screen"
  tmux -L "$sock" kill-session -t "$name"
  local server
  server="$(psql_ -At -c "SELECT round(COALESCE(sum(total_exec_time + total_plan_time), 0)::numeric, 1) || ' ' || COALESCE(sum(calls), 0) FROM pg_stat_statements WHERE userid = '$role'::regrole")"
  echo "$(awk -v t="$ticks" -v h="$hz" 'BEGIN {printf "%.2f", t / h}') $(awk -v r="$rss" 'BEGIN {printf "%.1f", r / 1024}') $server"
}

echo "pg_activity for ${DURATION}s..." >&2
pga="$(watch pga bench_pga env PGPASSWORD= pg_activity -h 127.0.0.1 -p "$PORT" -U bench_pga -d postgres --refresh 1)"
echo "opskit pgtop for ${DURATION}s..." >&2
ops="$(watch ops bench_opskit env dotnet "$dll" pgtop -h 127.0.0.1 -p "$PORT" -U bench_opskit -d postgres --refresh 1)"

read -r pga_cpu pga_rss pga_ms pga_calls <<<"$pga"
read -r ops_cpu ops_rss ops_ms ops_calls <<<"$ops"
printf '\n%-14s %14s %12s %16s %14s\n' "tool" "client CPU s" "peak RSS MB" "server ms" "statements"
printf '%-14s %14s %12s %16s %14s\n' "pg_activity" "$pga_cpu" "$pga_rss" "$pga_ms" "$pga_calls"
printf '%-14s %14s %12s %16s %14s\n' "opskit pgtop" "$ops_cpu" "$ops_rss" "$ops_ms" "$ops_calls"
awk -v a="$ops_cpu" -v b="$pga_cpu" -v c="$ops_ms" -v d="$pga_ms" -v s="$DURATION" 'BEGIN {
  printf "\nclient CPU: opskit/pg_activity = %.3f (%.1f%% vs %.1f%% of a core)\n", a / b, 100 * a / s, 100 * b / s
  printf "server time: opskit/pg_activity = %.3f\n", c / d }'
echo "screens: last frame of each tool (first 12 lines)"
head -12 "$work/pga.screen"; echo ---; head -12 "$work/ops.screen"
