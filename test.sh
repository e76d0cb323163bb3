#!/usr/bin/env bash
# The one test command: installs what the tests need (as root), builds with warnings as errors,
# runs every test project and ends with `tests: N passed, N failed, N skipped` counted from the
# TRX results. Exits non-zero when anything fails.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf '[test.sh] %s\n' "$*" >&2; }

# Lists the entries of a package file: comments and blank lines dropped.
entries() { sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$1"; }

install_apt_packages() {
  # A line is `package [command]`: the package counts as present when dpkg has it or, where a
  # command is named, when that command is on PATH (e.g. npm shipped inside another nodejs build).
  local missing=() pkg cmd
  while read -r pkg cmd; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' && continue
    [[ -n "${cmd:-}" ]] && command -v "$cmd" >/dev/null && continue
    missing+=("$pkg")
  done < <(entries tests/apt-packages.txt)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages (run as root to install): ${missing[*]}"
    return 0
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local lock=(-o DPkg::Lock::Timeout=600)
  apt-get "${lock[@]}" update -qq >/dev/null || { log "apt-get update failed"; return 1; }
  apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || { log "apt-get install failed"; return 1; }
  # Some packages (varnish, carbon) start a system service on install; the tests start their own.
  local svc
  for svc in varnish varnishncsa carbon-cache nginx postgresql prometheus; do
    systemctl stop "$svc" >/dev/null 2>&1 || service "$svc" stop >/dev/null 2>&1 || true
  done
}

install_npm_packages() {
  local prefix="$root/.tools/node" stamp specs
  mapfile -t specs < <(entries tests/npm-packages.txt | awk '{print $1}')
  [[ ${#specs[@]} -eq 0 ]] && return 0
  stamp="$prefix/.installed-$(sha256sum tests/npm-packages.txt | cut -c1-16)"
  [[ -f "$stamp" ]] && return 0
  command -v npm >/dev/null || { log "npm is missing; install Debian package npm"; return 1; }
  log "installing npm packages into .tools/node: ${specs[*]}"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "${specs[@]}" >/dev/null || { log "npm install failed"; return 1; }
  rm -f "$prefix"/.installed-* && touch "$stamp"
}

install_apt_packages || exit 1
install_npm_packages || exit 1

log "building (warnings are errors)"
dotnet build Opskit.slnx -c Debug --nologo -v quiet -warnaserror || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }

results="$root/TestResults"
rm -rf "$results"
# One project at a time: several tests start real daemons and load generators on loopback, and on a
# 2-core machine running the projects side by side makes their timing depend on each other.
test_exit=0
for project in tests/*.Tests/*.Tests.csproj; do
  log "running $(basename "$project" .csproj)"
  dotnet test "$project" -c Debug --no-build --nologo \
    --logger "trx;LogFileName=$(basename "$project" .csproj).trx" --logger "console;verbosity=normal" --results-directory "$results" \
    --blame-hang-timeout 10m || test_exit=$?
done

# Sum the counters of every TRX file: skipped tests are 'notExecuted'.
passed=0 failed=0 skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
trx_count=("$results"/*.trx)
if [[ ${#trx_count[@]} -eq 0 ]]; then
  log "no test results were written"
  failed=$((failed + 1))
fi
if [[ $test_exit -ne 0 && $failed -eq 0 ]]; then
  log "dotnet test exited with $test_exit although no test failed (crash or hang)"
  failed=1
fi

# Name the failures again at the end, where a CI log that keeps only its tail still shows them.
if [[ $failed -gt 0 ]]; then
  for trx in "$results"/*.trx; do
    python3 - "$trx" <<'PY' || grep -o 'testName="[^"]*"[^>]*outcome="Failed"' "$trx" | sed 's/^/[test.sh] failed: /'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if r.get("outcome") not in ("Passed", "NotExecuted"):
        msg = r.find("t:Output/t:ErrorInfo/t:Message", ns)
        first = (msg.text or "").strip().splitlines()[:6] if msg is not None else []
        print(f"[test.sh] {r.get('outcome', '?').lower()}: {r.get('testName')}")
        for line in first:
            print(f"[test.sh]     {line[:300]}")
PY
  done
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
