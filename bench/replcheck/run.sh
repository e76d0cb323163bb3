#!/usr/bin/env bash
# Side-by-side cost of one check run, same machine, same run: `opskit replcheck` against a MariaDB replica, the peer
# `pt-variable-advisor` (Percona Toolkit) against the same server, and the mariadb client running the two statements
# every check needs (the floor: a process start, a login and two result sets). Prints the median wall time of each and
# the ratios. Starts its own primary and replica (mariadb-install-db in a temp dir, loopback ports), removed at exit.
#   bench/replcheck/run.sh [runs]        (default 20 runs each; needs mariadb-server, optional percona-toolkit)
set -euo pipefail
runs="${1:-20}"
(( runs >= 1 && runs <= 500 )) || { echo "runs must be 1..500" >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d /tmp/opskit-bench-replcheck.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_server() { # name server-id port extra-options...
  local name=$1 id=$2 port=$3; shift 3
  mkdir -p "$work/$name/tmp"
  TMPDIR="$work/$name/tmp" mariadb-install-db --no-defaults --datadir="$work/$name/data" --user=root \
    --auth-root-authentication-method=normal --skip-test-db >"$work/$name/install.log" 2>&1
  mariadbd --no-defaults --datadir="$work/$name/data" --user=root --port="$port" --bind-address=127.0.0.1 \
    --socket="$work/$name/sock" --tmpdir="$work/$name/tmp" --pid-file="$work/$name/pid" --server-id="$id" \
    --skip-name-resolve --innodb-buffer-pool-size=16M "$@" >"$work/$name/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 600); do mariadb --socket="$work/$name/sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "$name did not start:"; tail -20 "$work/$name/log"; exit 1
}

primary_port=$(free_port); replica_port=$(free_port)
start_server primary 1 "$primary_port" --log-bin=primary-bin
start_server replica 2 "$replica_port" --relay-log=relay-bin --relay-log-recovery=ON
mariadb --socket="$work/primary/sock" -uroot -e "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'r'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';"
mariadb --socket="$work/replica/sock" -uroot -e "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$primary_port, MASTER_USER='repl', MASTER_PASSWORD='r', MASTER_USE_GTID=slave_pos; START SLAVE;"

"$root/opskit" replcheck --help >/dev/null   # builds Release once, outside the timing

median_ms() { # command... ; runs it $runs times, prints the median wall time in ms
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'
}

echo "replcheck bench: MariaDB $(mariadbd --version | awk '{print $3}'), $runs runs each, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
"$root/opskit" replcheck -h 127.0.0.1 -P "$replica_port" -u root --format nagios --primary "h=127.0.0.1,P=$primary_port" | head -1
ours=$(median_ms "$root/opskit" replcheck -h 127.0.0.1 -P "$replica_port" -u root --format nagios)
ours_primary=$(median_ms "$root/opskit" replcheck -h 127.0.0.1 -P "$replica_port" -u root --format nagios --primary "h=127.0.0.1,P=$primary_port")
startup=$(median_ms "$root/opskit" replcheck --help)
floor=$(median_ms mariadb -h 127.0.0.1 -P "$replica_port" -u root -e 'SHOW GLOBAL VARIABLES; SHOW ALL SLAVES STATUS')
printf '%-58s %8s\n' "tool" "median ms"
printf '%-58s %8d\n' "mariadb client: SHOW GLOBAL VARIABLES + SHOW ALL SLAVES STATUS" "$floor"
printf '%-58s %8d\n' "opskit replcheck --help (process start, no server)" "$startup"
printf '%-58s %8d\n' "opskit replcheck --format nagios" "$ours"
printf '%-58s %8d\n' "opskit replcheck --format nagios --primary" "$ours_primary"
if command -v pt-variable-advisor >/dev/null; then
  peer=$(median_ms pt-variable-advisor "h=127.0.0.1,P=$replica_port,u=root")
  printf '%-58s %8d\n' "pt-variable-advisor (Percona Toolkit $(pt-variable-advisor --version 2>/dev/null | awk '{print $2}'))" "$peer"
  awk -v o="$ours" -v p="$peer" 'BEGIN { printf "ratio pt-variable-advisor / opskit replcheck: %.2f\n", p / o }'
else
  echo "pt-variable-advisor: not installed (apt: percona-toolkit); no peer ratio"
fi
awk -v o="$ours" -v f="$floor" 'BEGIN { printf "ratio opskit replcheck / mariadb client floor: %.2f\n", o / f }'
