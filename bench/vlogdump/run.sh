#!/usr/bin/env bash
# Whole-system benchmark of `opskit vlogdump` (issue 14) against the original awk script (cosimo/vlogdump) under
# mawk and gawk, the same script with its cleanup fixed, and varnishncsa on a Varnish 7 binary log, in one run.
#
#   bench/vlogdump/run.sh /path/to/cosimo/vlogdump/vlogdump
#
# The original script is not part of this repository: pass the path of `vlogdump` from a checkout of
# https://github.com/cosimo/vlogdump. The "fixed" variant is derived from it here, at run time, by making its
# cleanup delete the keys it stored (delete Transaction[xid, TransactionAttributes[attr]]).
#
# Environment (defaults in brackets):
#   SIZES ["100000 1000000"]   legacy 2.1 requests per generated log (empty: none; same for TOOLS and MODERN)
#   TOOLS ["opskit mawk gawk mawk-fixed gawk-fixed"]  what runs on the legacy logs
#   MODERN ["1000000"]         requests in the generated Varnish 7 `-g request` text log
#   CAPTURE [50000]            requests sent through a real varnishd for the binary (-w) log; 0 skips
#   WORK [/tmp/opskit-vlogdump-bench]  generated logs (kept between runs) and outputs
# Every process started here is stopped by PID on exit; only loopback traffic.
set -euo pipefail

script="${1:?usage: bench/vlogdump/run.sh PATH_OF_ORIGINAL_VLOGDUMP_SCRIPT}"
[[ -f "$script" ]] || { echo "no such file: $script" >&2; exit 2; }
script="$(cd "$(dirname "$script")" && pwd)/$(basename "$script")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/vlogdump"
SIZES="${SIZES-100000 1000000}"
TOOLS="${TOOLS-opskit mawk gawk mawk-fixed gawk-fixed}"
MODERN="${MODERN-1000000}"
CAPTURE="${CAPTURE:-50000}"
WORK="${WORK:-/tmp/opskit-vlogdump-bench}"
mkdir -p "$WORK"
pids=()
cleanup() { for p in "${pids[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "# opskit vlogdump benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build "$root/src/Opskit/Opskit.csproj" -c Release --nologo -v quiet -warnaserror >/dev/null
opskit=(dotnet "$root/src/Opskit/bin/Release/net10.0/opskit.dll" vlogdump)
fixed="$WORK/vlogdump-fixed.awk"
sed 's/delete Transaction\[xid, attr\]/delete Transaction[xid, TransactionAttributes[attr]]/' "$script" > "$fixed"
grep -q 'TransactionAttributes\[attr\]\]' "$fixed" || { echo "could not derive the fixed script from $script" >&2; exit 2; }

# measure NAME LINES OUTPUT -- command...: wall s, CPU s, peak RSS; requests = output lines / 2 (two per request).
rows=()
measure() {
  local name="$1" lines="$2" out="$3"; shift 4
  local t="$WORK/time.txt"
  /usr/bin/time -f "%e %U %S %M" -o "$t" "$@" > "$out" 2>"$WORK/stderr.txt" || { echo "$name failed:"; cat "$WORK/stderr.txt"; return 1; }
  read -r wall user sys rss < "$t"
  local requests="${REQUESTS_OVERRIDE:-$(( $(grep -c ' <= ' "$out" || true) ))}"
  local cpu; cpu="$(echo "$user + $sys" | bc)"
  rows+=("$(printf '%-34s %9d %10d %8.2f %8.2f %12.0f %12.0f %8.0f' "$name" "$requests" "$lines" "$wall" "$cpu" \
    "$(echo "$requests / $wall" | bc -l)" "$(echo "$lines / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)")")
  echo "${rows[-1]}"
}
header() { printf '%-34s %9s %10s %8s %8s %12s %12s %8s\n' run requests lines wall_s cpu_s requests/s lines/s rss_MB; }
header

for n in $SIZES; do
  log="$WORK/legacy-$n.log"
  [[ -s "$log" ]] || python3 "$here/generate.py" legacy "$n" > "$log"
  lines=$(wc -l < "$log")
  for tool in $TOOLS; do
    case "$tool" in
      opskit) measure "opskit legacy $n" "$lines" "$WORK/out-opskit-$n.txt" -- "${opskit[@]}" "$log" --color never --no-summary ;;
      mawk|gawk) measure "$tool original legacy $n" "$lines" "$WORK/out-$tool-$n.txt" -- "$tool" -f "$script" "$log" ;;
      mawk-fixed|gawk-fixed) measure "${tool%-fixed} fixed legacy $n" "$lines" "$WORK/out-$tool-$n.txt" -- "${tool%-fixed}" -f "$fixed" "$log" ;;
    esac
  done
  for tool in mawk gawk; do
    if [[ -s "$WORK/out-$tool-$n.txt" && -s "$WORK/out-opskit-$n.txt" ]]; then
      echo "  output vs $tool original, $n: $(python3 "$here/compare.py" "$WORK/out-$tool-$n.txt" "$WORK/out-opskit-$n.txt" | tr '\n' ' ')"
    fi
  done
done

for n in $MODERN; do
  log="$WORK/modern-$n.log"
  [[ -s "$log" ]] || python3 "$here/generate.py" modern "$n" > "$log"
  measure "opskit 7.x -g request text $n" "$(wc -l < "$log")" "$WORK/out-opskit-modern-$n.txt" -- "${opskit[@]}" "$log" --color never --no-summary
done

if [[ "$CAPTURE" -gt 0 ]]; then
  bin="$WORK/capture-$CAPTURE.vsl"
  if [[ ! -s "$bin" ]]; then
    free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
    backend=$(free_port); listen=$(free_port); admin=$(free_port)
    vdir="$WORK/varnish"; rm -rf "$vdir"; mkdir -p "$vdir"
    cat > "$vdir/bench.vcl" <<VCL
vcl 4.1;
backend default { .host = "127.0.0.1"; .port = "$backend"; }
sub vcl_recv {
  if (req.url ~ "^/pass") { return (pass); }
  if (req.url ~ "^/pipe") { return (pipe); }
  if (req.url ~ "^/synth") { return (synth(404, "Not Here")); }
  return (hash);
}
sub vcl_backend_response { set beresp.ttl = 600s; }
VCL
    python3 -m http.server "$backend" --bind 127.0.0.1 --directory "$vdir" >/dev/null 2>&1 & pids+=($!)
    varnishd -F -n "$vdir/n" -a "127.0.0.1:$listen" -T "127.0.0.1:$admin" -f "$vdir/bench.vcl" -s malloc,128m -p vsl_space=256m >/dev/null 2>&1 & pids+=($!)
    vd=$!
    for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$listen") 2>/dev/null && break; sleep 0.2; done
    varnishlog -n "$vdir/n" -w "$bin" & vl=$!; pids+=($vl)
    sleep 1
    python3 "$here/loadgen.py" "$listen" "$CAPTURE" 8
    sleep 2
    kill "$vl"; wait "$vl" 2>/dev/null || true
    kill "$vd"; wait "$vd" 2>/dev/null || true
  fi
  varnishlog -r "$bin" -g request > "$WORK/capture-$CAPTURE.txt"
  clines=$(wc -l < "$WORK/capture-$CAPTURE.txt")
  requests=$(grep -c '^\*   << Request' "$WORK/capture-$CAPTURE.txt" || true)
  REQUESTS_OVERRIDE=$requests measure "varnishncsa -r binary $CAPTURE" "$clines" "$WORK/out-ncsa.txt" -- varnishncsa -r "$bin"
  REQUESTS_OVERRIDE=$requests measure "opskit --format ncsa binary $CAPTURE" "$clines" "$WORK/out-opskit-ncsa.txt" -- "${opskit[@]}" "$bin" --format ncsa --no-summary
  REQUESTS_OVERRIDE=$requests measure "opskit --format ncsa text $CAPTURE" "$clines" "$WORK/out-opskit-ncsa-text.txt" -- "${opskit[@]}" "$WORK/capture-$CAPTURE.txt" --format ncsa --no-summary
  if cmp -s <(sort "$WORK/out-ncsa.txt") <(sort "$WORK/out-opskit-ncsa.txt"); then
    echo "  --format ncsa equals varnishncsa on all $(wc -l < "$WORK/out-ncsa.txt") lines"
  else
    echo "  --format ncsa differs from varnishncsa on $(diff <(sort "$WORK/out-ncsa.txt") <(sort "$WORK/out-opskit-ncsa.txt") | grep -c '^>') lines"
  fi
fi

# Ratios against the awk script for each legacy size.
for n in $SIZES; do
  o=$(printf '%s\n' "${rows[@]}" | awk -v n="$n" '$1=="opskit" && $2=="legacy" && $3==n {print $8}')
  for ref in "mawk original" "gawk original" "mawk fixed" "gawk fixed"; do
    r=$(printf '%s\n' "${rows[@]}" | awk -v a="${ref% *}" -v b="${ref#* }" -v n="$n" '$1==a && $2==b && $4==n {print $9}')
    [[ -n "$o" && -n "$r" ]] && printf '  %s: opskit / %s = %.1fx requests/s\n' "$n" "$ref" "$(echo "$o / $r" | bc -l)"
  done
done
