#!/usr/bin/env bash
# Streaming misses (issue #18), opskit edge and Varnish 7 (default VCL, streams by default) in the same run:
#  (a) first byte: median over COUNT (100) misses of a 1 MiB object of the time from the first body bytes leaving the
#      origin to them reaching the client (the origin sends the rest 50 ms later, so a buffering proxy would show it);
#  (b) a 100 MiB object (over the 8 MiB object limit) passing through: growth of the proxy's peak RSS (VmHWM).
# Needs: varnish, curl, python3. Env: COUNT (100).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
count=${COUNT:-100}
origin_port=18200; opskit_port=18201; varnish_port=18202
work=$(mktemp -d /tmp/opskit-edge-misses.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

python3 "$here/misses.py" origin "$origin_port" "$work/origin.log" &
pids+=($!)
cat > "$work/default.vcl" <<VCL
vcl 4.1;
backend origin { .host = "127.0.0.1"; .port = "$origin_port"; }
VCL
varnishd -F -n "$work/varnish" -a "127.0.0.1:$varnish_port" -f "$work/default.vcl" -s malloc,256m > "$work/varnish.log" 2>&1 &
pids+=($!)
cat > "$work/edge.json" <<JSON
{
  "Edge": { "Listen": "http://127.0.0.1:$opskit_port" },
  "Logging": { "LogLevel": { "Default": "Warning" } },
  "ReverseProxy": {
    "Routes": { "all": { "ClusterId": "origin", "Match": { "Path": "/{**rest}" } } },
    "Clusters": { "origin": { "Destinations": { "d1": { "Address": "http://127.0.0.1:$origin_port/" } } } }
  }
}
JSON
dotnet build -c Release "$root/src/Opskit" -v quiet -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dotnet "$root/src/Opskit/bin/Release/net10.0/opskit.dll" edge --config "$work/edge.json" > "$work/opskit.log" 2>&1 &
opskit_pid=$!
pids+=($opskit_pid)
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
