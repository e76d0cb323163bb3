#!/usr/bin/env bash
# Whole-system comparison on loopback, all in one run:
#  (a) cache hits of a 4 KB JSON through Opskit edge, Varnish 7 (equivalent VCL) and nginx proxy_cache;
#  (b) Opskit with every request carrying a userId cookie (half of the ids in a 10M-row profiles file, rollout 0%,
#      so every request is a gated hit) vs the same route with an unrelated cookie (anonymous hits).
# Rounds are interleaved (A B C D E, A B C D E, ...) and medians reported, because the 2 cores are shared.
# Needs: wrk, varnish, nginx-light, sqlite3 (apt). Env: ROUNDS (3), DURATION (10s), CONNECTIONS (64), THREADS (2),
# OPSKIT_EDGE_PROFILES (built by make-profiles.sh if missing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
profiles=${OPSKIT_EDGE_PROFILES:-/tmp/opskit-edge-bench/profiles-10m.db}
origin_port=18100; opskit_port=18101; varnish_port=18102; nginx_port=18103; admin_port=18104

for tool in wrk varnishd nginx sqlite3 curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk varnish nginx-light sqlite3 curl)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/opskit-edge-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if [[ ! -s "$profiles" ]]; then
  mkdir -p "$(dirname "$profiles")"
  "$here/make-profiles.sh" "$profiles" 10000000
fi

# A ~4 KB JSON document, served by the origin with a 1 h lifetime.
mkdir -p "$work/www/plain" "$work/www/gated"
python3 - "$work/www/plain/article.json" <<'PY'
import json, sys
items, doc = [], ""
while True:
    i = len(items)
    items.append({"id": i, "title": f"Article number {i} about something newsworthy", "score": round(1 / (i + 1), 6)})
    candidate = json.dumps({"recommendations": items}, separators=(",", ":"))
    if len(candidate) > 4096:
        break
    doc = candidate
open(sys.argv[1], "w").write(doc)
PY
cp "$work/www/plain/article.json" "$work/www/gated/article.json"
echo "document: $(stat -c %s "$work/www/plain/article.json") bytes"

cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  proxy_cache_path $work/nginx-cache levels=1:2 keys_zone=edge:10m max_size=256m;
  server { listen 127.0.0.1:$origin_port; root $work/www; default_type application/json; expires 1h; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://127.0.0.1:$origin_port;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache edge;
      add_header X-Cache \$upstream_cache_status;
    }
  }
}
NGINX
nginx -c "$work/nginx.conf" &
pids+=($!)

cat > "$work/default.vcl" <<VCL
vcl 4.1;
backend origin { .host = "127.0.0.1"; .port = "$origin_port"; }
sub vcl_recv { unset req.http.Cookie; }
VCL
varnishd -F -n "$work/varnish" -a "127.0.0.1:$varnish_port" -f "$work/default.vcl" -s malloc,256m > "$work/varnish.log" 2>&1 &
pids+=($!)

cat > "$work/edge.json" <<JSON
{
  "Edge": {
    "Listen": "http://127.0.0.1:$opskit_port",
    "AdminListen": "http://127.0.0.1:$admin_port",
    "Policies": { "gated": { "Gate": { "Database": "$profiles", "RolloutPercentage": 0 } } }
  },
  "Logging": { "LogLevel": { "Default": "Warning" } },
  "ReverseProxy": {
    "Routes": {
      "plain": { "ClusterId": "origin", "Match": { "Path": "/plain/{**rest}" } },
      "gated": { "ClusterId": "origin", "Match": { "Path": "/gated/{**rest}" } }
    },
    "Clusters": { "origin": { "Destinations": { "d1": { "Address": "http://127.0.0.1:$origin_port/" } } } }
  }
}
JSON
dotnet build -c Release "$root/src/Opskit" -v quiet -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
${OPSKIT_ENV:-} dotnet "$root/src/Opskit/bin/Release/net10.0/opskit.dll" edge --config "$work/edge.json" > "$work/opskit.log" 2>&1 &
pids+=($!)

wait_for() { for _ in $(seq 1 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not answering: $1" >&2; exit 1; }
for url in "http://127.0.0.1:$origin_port/plain/article.json" "http://127.0.0.1:$nginx_port/plain/article.json" \
           "http://127.0.0.1:$varnish_port/plain/article.json" "http://127.0.0.1:$opskit_port/plain/article.json" \
           "http://127.0.0.1:$opskit_port/gated/article.json"; do
  wait_for "$url"; curl -fs -o /dev/null "$url"
done
# The gate answers from SQLite until the in-memory index of the 10M-row file is built: measure the steady state.
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$admin_port/metrics" | grep -Eq '^opskit_edge_profiles_indexed\{.*\} [1-9]' && break
  sleep 0.5
done
echo "index:   $(curl -fs "http://127.0.0.1:$admin_port/metrics" | grep '^opskit_edge_profiles_indexed')"
echo "opskit:  $(curl -fsI "http://127.0.0.1:$opskit_port/plain/article.json" | grep -i '^x-cache' | tr -d '\r')"
echo "gated:   $(curl -fsI -H 'Cookie: userId=user-00000002' "http://127.0.0.1:$opskit_port/gated/article.json" | grep -iE '^(x-cache|x-personalization)' | tr -d '\r' | tr '\n' ' ')"
echo "nginx:   $(curl -fsI "http://127.0.0.1:$nginx_port/plain/article.json" | grep -i '^x-cache' | tr -d '\r')"
echo "varnish: $(curl -fsI "http://127.0.0.1:$varnish_port/plain/article.json" | grep -i '^age' | tr -d '\r') (Age > 0 = hit)"

run() { # name, wrk args...
  local name=$1; shift
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@")
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")
  local errors
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  echo "$name $rps $p99" >> "$work/results.txt"
  printf '%-18s %10s req/s  p99 %8s ms  %s\n' "$name" "$rps" "$p99" "$errors"
}

# Warm-up (JIT tiers, connection pools, page cache of the profiles file); not recorded.
for url in "http://127.0.0.1:$opskit_port/plain/article.json" "http://127.0.0.1:$varnish_port/plain/article.json" "http://127.0.0.1:$nginx_port/plain/article.json"; do
  wrk -t"$threads" -c"$connections" -d5s "$url" > /dev/null
done
wrk -t"$threads" -c"$connections" -d5s -s "$here/cookies.lua" "http://127.0.0.1:$opskit_port" -- /gated/article.json userId > /dev/null

for round in $(seq 1 "$rounds"); do
  echo "round $round/$rounds"
  run opskit-hit     "http://127.0.0.1:$opskit_port/plain/article.json"
  run varnish-hit    "http://127.0.0.1:$varnish_port/plain/article.json"
  run nginx-hit      "http://127.0.0.1:$nginx_port/plain/article.json"
  run opskit-gated   -s "$here/cookies.lua" "http://127.0.0.1:$opskit_port" -- /gated/article.json userId
  run opskit-anon    -s "$here/cookies.lua" "http://127.0.0.1:$opskit_port" -- /gated/article.json other
done

python3 - "$work/results.txt" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, rps, p99 = line.split()
    runs.setdefault(name, []).append((float(rps), float(p99)))
med = {k: (statistics.median(r for r, _ in v), statistics.median(p for _, p in v)) for k, v in runs.items()}
rounds = len(next(iter(runs.values())))
print("\nmedians over %d rounds" % rounds)
for k, (rps, p99) in med.items():
    print(f"  {k:<14} {rps:>10.0f} req/s   p99 {p99:7.2f} ms")
def paired(a, b):  # median of the per-round ratios: each pair ran back to back, so slow drifts cancel
    return statistics.median(x[0] / y[0] for x, y in zip(runs[a], runs[b]))
print(f"  opskit/varnish hits: {med['opskit-hit'][0] / med['varnish-hit'][0]:.2f}x of medians, {paired('opskit-hit', 'varnish-hit'):.2f}x paired (target >= 0.8)")
print(f"  opskit/nginx hits:   {med['opskit-hit'][0] / med['nginx-hit'][0]:.2f}x of medians, {paired('opskit-hit', 'nginx-hit'):.2f}x paired")
g = paired('opskit-gated', 'opskit-anon')
print(f"  gated/anonymous:     {med['opskit-gated'][0] / med['opskit-anon'][0]:.2f}x of medians, {g:.2f}x paired (gate cost {100 * (1 - g):.1f}% paired, target <= 10%)")
print("  per-round gated/anonymous: " + ", ".join(f"{x[0] / y[0]:.2f}" for x, y in zip(runs['opskit-gated'], runs['opskit-anon'])))
PY
