# Shared set-up of the edge benchmarks (sourced, not run): a work directory removed on exit with every process the
# script started (by PID), Varnish with the default VCL in front of an origin, and opskit edge (Release) with one
# catch-all route to the same origin.
# After sourcing: $work, pids (append started PIDs), start_default_varnish PORT ORIGIN_PORT,
# start_catch_all_edge PORT ORIGIN_PORT (sets $opskit_pid).
edge_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work=$(mktemp -d "/tmp/opskit-edge-${EDGE_BENCH_NAME:-bench}.XXXXXX")
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n "${KEEP:-}" ]] && echo "work directory kept: $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

start_default_varnish() {
  local port=$1 origin_port=$2
  cat > "$work/default.vcl" <<VCL
vcl 4.1;
backend origin { .host = "127.0.0.1"; .port = "$origin_port"; }
VCL
  varnishd -F -n "$work/varnish" -a "127.0.0.1:$port" -f "$work/default.vcl" -s malloc,256m > "$work/varnish.log" 2>&1 &
  pids+=($!)
}

start_catch_all_edge() {
  local port=$1 origin_port=$2
  cat > "$work/edge.json" <<JSON
{
  "Edge": { "Listen": "http://127.0.0.1:$port" },
  "Logging": { "LogLevel": { "Default": "Warning" } },
  "ReverseProxy": {
    "Routes": { "all": { "ClusterId": "origin", "Match": { "Path": "/{**catch-all}" } } },
    "Clusters": { "origin": { "Destinations": { "d1": { "Address": "http://127.0.0.1:$origin_port/" } } } }
  }
}
JSON
  dotnet build -c Release "$edge_root/src/Opskit" -v quiet -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  dotnet "$edge_root/src/Opskit/bin/Release/net10.0/opskit.dll" edge --config "$work/edge.json" > "$work/opskit.log" 2>&1 &
  opskit_pid=$!
  pids+=($opskit_pid)
}
