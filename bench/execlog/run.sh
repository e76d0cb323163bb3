#!/usr/bin/env bash
# Start-up overhead of `opskit execlog`, paired runs: every round runs each command once, in the same order,
# so load on a shared machine hits all of them alike; the report gives medians and the per-round ratio
# execlog / `opskit --version` (the issue's budget: at most 1.2).
#
#   bench/execlog/run.sh [ROUNDS]        (default 40)
#   R2R=1 bench/execlog/run.sh [ROUNDS]  the same against `dotnet publish -p:PublishReadyToRun=true` output
#                                        (precompiled code instead of JIT at start-up, as a deployment would ship)
#
# Commands (all to a syslog socket this script binds, so logger and opskit do the same work):
#   version   opskit --version                         the runtime's own start-up
#   execlog   opskit execlog --to syslog -- /bin/true  the wrapper, record sent
#   file      opskit execlog --to file -- /bin/true    the wrapper, JSON line appended
#   true      /bin/true                                the command alone
#   trap      bash with the seed's DEBUG trap running /bin/true (logger per command)
set -euo pipefail
rounds="${1:-40}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x1000000}" # as ./opskit sets it
work="$(mktemp -d /tmp/execlog-bench.XXXXXX)"
if [[ "${R2R:-0}" == 1 ]]; then
  rid="linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
  echo "publishing ReadyToRun ($rid) to $work/app..." >&2
  dotnet publish "$root/src/Opskit/Opskit.csproj" -c Release -r "$rid" --self-contained false \
    -p:PublishReadyToRun=true -o "$work/app" --nologo -v quiet >&2
  dll="$work/app/opskit.dll"
else
  "$root/opskit" --version >/dev/null # builds Release when needed
  dll="$root/src/Opskit/bin/Release/net10.0/opskit.dll"
fi

sock="$work/log.sock"
python3 - "$sock" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    s.recv(65536)
PY
reader=$!
trap 'kill "$reader" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [[ -S "$sock" ]] && break; sleep 0.05; done

names=(version execlog file true trap)
cmds=(
  "dotnet $dll --version"
  "dotnet $dll execlog --to syslog --syslog-socket $sock --state-file $work/state -- /bin/true"
  "dotnet $dll execlog --to file --log $work/runs.jsonl --state-file $work/state -- /bin/true"
  "/bin/true"
  "bash --norc -c \"trap 'logger -u $sock -p auth.info -t nagios \\\"Running \\\$BASH_COMMAND\\\"' DEBUG; /bin/true\""
)
# One warm-up round (page cache, JIT caches of the SDK are not used at run time).
for c in "${cmds[@]}"; do eval "$c" >/dev/null 2>&1 || true; done

results="$work/times.tsv"
for ((r = 1; r <= rounds; r++)); do
  for i in "${!cmds[@]}"; do
    start=$(date +%s%N)
    eval "${cmds[$i]}" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    printf '%d\t%s\t%d\n' "$r" "${names[$i]}" $(((end - start) / 1000)) >>"$results"
  done
done

records=$(wc -l <"$work/runs.jsonl")
echo "execlog start-up ($([[ "${R2R:-0}" == 1 ]] && echo ReadyToRun || echo JIT)), $rounds paired rounds on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(JSON records written: $records, expected $((rounds + 1)))"
gawk -F'\t' '
  { t[$2][$1] = $3; all[$2] = all[$2] " " $3 }
  function median(list,   n, a, i, j, x) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    printf "%-8s %12s %12s %12s\n", "command", "median ms", "p10 ms", "p90 ms"
    split("version execlog file true trap", order, " ")
    for (k = 1; k <= 5; k++) {
      name = order[k]; n = split(all[name], v, " ")
      for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
      printf "%-8s %12.1f %12.1f %12.1f\n", name, median(all[name]) / 1000, v[int(n * 0.1) + 1] / 1000, v[int(n * 0.9)] / 1000
    }
    for (k = 2; k <= 3; k++) {
      name = order[k]; list = ""
      for (r in t[name]) list = list " " (t[name][r] / t["version"][r])
      printf "ratio %s / version, median of per-round ratios: %.3f\n", name, median(list)
    }
    list = ""
    for (r in t["trap"]) list = list " " (t["trap"][r] / t["true"][r])
    printf "ratio trap / true, median of per-round ratios: %.2f\n", median(list)
  }' "$results"
