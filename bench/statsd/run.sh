#!/usr/bin/env bash
# Whole-system receive benchmark for `opskit statsd` (issue 4): the same packets from a C sendmmsg
# blaster into (a) opskit statsd (Release), (b) Etsy statsd 0.9.0 (npm, node), (c) a C recvmmsg
# receiver that only counts (the ceiling of what the kernel delivers here). Loopback only; every
# run is bounded in packets and seconds; every process started here is stopped by PID on exit.
#
#   bench/statsd/run.sh
#
# Environment (defaults in brackets):
#   REPS [3]               repetitions of every (scenario, receiver); the table shows medians
#   SECONDS_PER_RUN [4]    send time per run (fixed-rate runs send rate*SECONDS_PER_RUN packets)
#   FULL_SPEED_MAX [3000000] packet cap of a full-speed run
#   SCENARIOS ["1:25000 1:50000 1:100000 1:0 10:25000 10:50000 10:100000 10:0"]
#                          lines-per-packet:packets-per-second, 0 = full blaster speed
#   RECEIVERS ["opskit etsy ceiling"]
#   SOURCES [1]            sending sockets (source ports) of the blaster; >1 models many clients,
#                          which SO_REUSEPORT spreads over opskit's receive loops
#   SOCKET_MODE [daemon default]  opskit's udpSocketMode: shared (all loops on one socket) or
#                          reuseport (a socket per loop; the kernel hashes each source to one)
#   UDP_READERS [daemon default: one per core]  opskit's udpReaders (receive loops)
#   SHARDS [daemon default: one per core]  opskit's aggregationShards (shard worker threads)
#   RESULTS [bench/statsd/results-<date>.txt]  raw per-run numbers are appended here
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/statsd"
REPS="${REPS:-3}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-4}"
FULL_SPEED_MAX="${FULL_SPEED_MAX:-3000000}"
SCENARIOS="${SCENARIOS:-1:25000 1:50000 1:100000 1:0 10:25000 10:50000 10:100000 10:0}"
RECEIVERS="${RECEIVERS:-opskit etsy ceiling}"
SOURCES="${SOURCES:-1}"
SOCKET_MODE="${SOCKET_MODE:-}"
UDP_READERS="${UDP_READERS:-}"
SHARDS="${SHARDS:-}"
RESULTS="${RESULTS:-$here/results-$(date -u +%Y%m%dT%H%M%SZ).txt}"
PY=/usr/bin/python3
[[ -x "$PY" ]] || PY="$(command -v python3)"
ETSY="$root/.tools/node/node_modules/statsd/stats.js"
TICKS="$(getconf CLK_TCK)"

work="$(mktemp -d /tmp/opskit-bench-statsd.XXXXXX)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# A port free for TCP and UDP on 127.0.0.1.
free_port() {
  "$PY" - <<'PYEOF'
import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        pass
    finally:
        u.close(); t.close()
PYEOF
}

# Waits (bounded) until FILE contains TEXT.
wait_for_text() {
  local file=$1 text=$2 seconds=$3 pid=$4
  for _ in $(seq $((seconds * 10))); do
    grep -q "$text" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "process $pid exited:"; cat "$file"; return 1; } >&2
    sleep 0.1
  done
  echo "no '$text' in $file within ${seconds}s:" >&2; cat "$file" >&2; return 1
}

cpu_seconds() { awk -v t="$TICKS" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat"; }

# --- build ---------------------------------------------------------------------------------------
log "compiling blaster and ceiling receiver (gcc -O2)"
gcc -O2 -Wall -o "$work/blaster" "$here/blaster.c"
gcc -O2 -Wall -o "$work/receiver" "$here/receiver.c"
if [[ " $RECEIVERS " == *" opskit "* ]]; then
  log "building opskit (Release)"
  "$root/opskit" --help >/dev/null
fi
if [[ " $RECEIVERS " == *" etsy "* && ! -f "$ETSY" ]]; then
  echo "Etsy statsd is missing: npm install --prefix $root/.tools/node statsd@0.9.0" >&2; exit 1
fi

# --- start the receivers -------------------------------------------------------------------------
declare -A port pid statsfile
start_daemon() {
  local name=$1 sink_port udp mgmt
  sink_port="$(free_port)"; udp="$(free_port)"; mgmt="$(free_port)"
  statsfile[$name]="$work/$name.stats"
  "$PY" "$here/graphite_sink.py" "$sink_port" "${statsfile[$name]}" >"$work/$name-sink.log" 2>&1 &
  pids+=("$!")
  cat >"$work/$name.js" <<CONF
{
  port: $udp, address: '127.0.0.1', mgmt_port: $mgmt, mgmt_address: '127.0.0.1',
  flushInterval: 1000, backends: [ './backends/graphite' ],
  graphiteHost: '127.0.0.1', graphitePort: $sink_port, graphite: { legacyNamespace: false },
  ${SOCKET_MODE:+udpSocketMode: '$SOCKET_MODE',}
  ${UDP_READERS:+udpReaders: $UDP_READERS,}
  ${SHARDS:+aggregationShards: $SHARDS,}
}
CONF
  if [[ $name == opskit ]]; then
    "$root/opskit" statsd --config "$work/$name.js" >"$work/$name.log" 2>&1 &
  else
    node "$ETSY" "$work/$name.js" >"$work/$name.log" 2>&1 &
  fi
  pid[$name]=$!
  pids+=("$!")
  port[$name]=$udp
  wait_for_text "$work/$name.log" "server is up" 60 "${pid[$name]}"
  # Wait for the first flush so the sink's totals are live.
  for _ in $(seq 100); do grep -q "^flushes [1-9]" "${statsfile[$name]}" 2>/dev/null && break; sleep 0.1; done
}

for r in $RECEIVERS; do
  case $r in
    opskit|etsy) log "starting $r"; start_daemon "$r" ;;
    ceiling)
      port[ceiling]="$(free_port)"; statsfile[ceiling]="$work/ceiling.stats"
      "$work/receiver" "${port[ceiling]}" "${statsfile[ceiling]}" >"$work/ceiling.log" 2>&1 &
      pid[ceiling]=$!; pids+=("$!")
      wait_for_text "$work/ceiling.log" "receiver is up" 10 "${pid[ceiling]}" ;;
    *) echo "unknown receiver $r" >&2; exit 2 ;;
  esac
done
log "receivers up: $(for r in $RECEIVERS; do printf '%s=pid %s udp %s  ' "$r" "${pid[$r]}" "${port[$r]}"; done)"
grep -i "warn" "$work/opskit.log" 2>/dev/null | head -5 >&2 || true

# Totals "packets lines" the receiver reports.
totals() { awk '{ for (i = 1; i < NF; i++) { if ($i == "packets") p = $(i+1); if ($i == "lines") l = $(i+1) } } END { print p + 0, l + 0 }' "${statsfile[$1]}"; }
flushes() { awk '{ print $2 + 0 }' "${statsfile[$1]}"; }

# After a run: daemons report per flush, so wait for two more flushes with unchanged totals
# (bounded); the ceiling receiver rewrites its file every 100 ms.
settle() {
  local r=$1 before after f0
  if [[ $r == ceiling ]]; then
    before="$(totals "$r")"
    for _ in $(seq 50); do sleep 0.3; after="$(totals "$r")"; [[ $after == "$before" ]] && return 0; before=$after; done
    return 0
  fi
  f0="$(flushes "$r")"; before="$(totals "$r")"
  for _ in $(seq 300); do
    sleep 0.1
    if (( $(flushes "$r") >= f0 + 2 )); then
      after="$(totals "$r")"
      [[ $after == "$before" ]] && return 0
      before=$after; f0="$(flushes "$r")" 
    fi
  done
  log "warning: $r did not settle within 30 s"
}

# --- runs ----------------------------------------------------------------------------------------
echo "# sources $SOURCES; opskit udpSocketMode ${SOCKET_MODE:-default}, udpReaders ${UDP_READERS:-default}, aggregationShards ${SHARDS:-default}; $(nproc) cores; $(uptime)" >>"$RESULTS"
echo "# scenario receiver rep sent_packets sent_lines recv_packets recv_lines cpu_seconds send_seconds" >>"$RESULTS"
for rep in $(seq "$REPS"); do
  for scenario in $SCENARIOS; do
    lines=${scenario%%:*}; rate=${scenario##*:}
    if (( rate == 0 )); then count=$FULL_SPEED_MAX; else count=$((rate * SECONDS_PER_RUN)); fi
    for r in $RECEIVERS; do
      settle "$r"
      read -r p0 l0 < <(totals "$r"); c0="$(cpu_seconds "${pid[$r]}")"
      read -r _ sent _ sent_lines _ secs _ _ < <("$work/blaster" "${port[$r]}" "$lines" "$rate" "$count" "$SECONDS_PER_RUN" "$SOURCES")
      settle "$r"
      read -r p1 l1 < <(totals "$r"); c1="$(cpu_seconds "${pid[$r]}")"
      kill -0 "${pid[$r]}" 2>/dev/null || { echo "$r died; log:"; tail -50 "$work/$r.log"; exit 1; } >&2
      row="$lines:$rate $r $rep $sent $sent_lines $((p1 - p0)) $((l1 - l0)) $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }') $secs"
      echo "$row" >>"$RESULTS"
      log "$row"
    done
  done
done

# --- summary -------------------------------------------------------------------------------------
"$PY" - "$RESULTS" <<'PYEOF'
import statistics, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    s, r, rep, sp, sl, rp, rl, cpu, secs = line.split()
    rows[(s, r)].append((int(sp), int(sl), int(rp), int(rl), float(cpu), float(secs)))
med = statistics.median
def m(s, r, i):
    return med(x[i] for x in rows[(s, r)]) if (s, r) in rows else None
scenarios = list(dict.fromkeys(s for s, _ in rows))
receivers = list(dict.fromkeys(r for _, r in rows))
print()
print("| lines/pkt | offered pkt/s | receiver | sent pkts | recv pkts | recv lines | loss % | CPU s | Opskit/Etsy | Opskit/ceiling |")
print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for s in scenarios:
    lines, rate = s.split(":")
    for r in receivers:
        if (s, r) not in rows:
            continue
        xs = rows[(s, r)]
        sent, rp, rl, cpu = m(s, r, 0), m(s, r, 2), m(s, r, 3), m(s, r, 4)
        loss = med(100.0 * (1 - x[2] / x[0]) for x in xs)
        offered = "full (%.0f)" % med(x[0] / x[5] for x in xs) if rate == "0" else rate
        ratio_e = ratio_c = ""
        if r == "opskit":
            e, c = m(s, "etsy", 2), m(s, "ceiling", 2)
            ratio_e = "%.2f" % (rp / e) if e else ""
            ratio_c = "%.3f" % (rp / c) if c else ""
        print(f"| {lines} | {offered} | {r} | {sent:.0f} | {rp:.0f} | {rl:.0f} | {loss:.2f} | {cpu:.2f} | {ratio_e} | {ratio_c} |")
print(f"\nmedians of {max(len(v) for v in rows.values())} repetitions; raw rows in {sys.argv[1]}")
PYEOF
