#!/usr/bin/env bash
# Streaming misses (issue #18), opskit edge and Varnish 7 (default VCL, streams by default) in the same run:
#  (a) first byte: median over COUNT (100) misses of a 1 MiB object of the time from the first body bytes leaving the
#      origin to them reaching the client (the origin sends the rest 50 ms later, so a buffering proxy would show it);
#  (b) a 100 MiB object (over the 8 MiB object limit) passing through: growth of the proxy's peak RSS (VmHWM).
# Needs: varnish, curl, python3. Env: COUNT (100).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
count=${COUNT:-100}
origin_port=18200; opskit_port=18201; varnish_port=18202
EDGE_BENCH_NAME=misses
source "$here/common.sh"

python3 "$here/misses.py" origin "$origin_port" "$work/origin.log" &
pids+=($!)
start_default_varnish "$varnish_port" "$origin_port"
start_catch_all_edge "$opskit_port" "$origin_port"
for port in $origin_port $opskit_port $varnish_port; do
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/warm/0?size=10" && break; sleep 0.1; done
done

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/misses.py" first-byte "$opskit_port" "$work/origin.log" /opskit-warm 20 1048576 > /dev/null
python3 "$here/misses.py" first-byte "$varnish_port" "$work/origin.log" /varnish-warm 20 1048576 > /dev/null
python3 "$here/misses.py" first-byte "$opskit_port" "$work/origin.log" /opskit "$count" 1048576
python3 "$here/misses.py" first-byte "$varnish_port" "$work/origin.log" /varnish "$count" 1048576

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
big() { # name, port, pid: RSS sampled every 20 ms while a 100 MiB miss passes through
  local before peak now
  before=$(rss "$3"); peak=$before
  curl -fs -o /dev/null "http://127.0.0.1:$2/huge/$1?size=104857600" &
  local curl_pid=$!
  while kill -0 "$curl_pid" 2>/dev/null; do now=$(rss "$3"); (( now > peak )) && peak=$now; sleep 0.02; done
  wait "$curl_pid"
  echo "$1: 100 MiB miss passed through; RSS $((before / 1024)) MiB before, peak $((peak / 1024)) MiB during (+$(((peak - before) / 1024)) MiB)"
}
big opskit "$opskit_port" "$opskit_pid"
manager=$(pgrep -f "varnishd -F -n $work/varnish" | head -1)
big varnish "$varnish_port" "$(pgrep -n -P "$manager" || echo "$manager")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
