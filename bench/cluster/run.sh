#!/usr/bin/env bash
# Side-by-side benchmark of `opskit cluster` (see README.md).
# Usage: bench/cluster/run.sh [seconds-per-run] [rounds] [extra args, e.g. --soak 120 or --server-args "--allow-spinning"]
# Needs node and @huggingface/transformers in .tools/node (installed here when missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-10}"
rounds="${2:-3}"
shift $(( $# > 2 ? 2 : $# ))
cd "$root"
if [ ! -d .tools/node/node_modules/@huggingface/transformers ]; then
  npm install --prefix .tools/node @huggingface/transformers@4.3.1
fi
dotnet build -c Release src/Opskit -v quiet -nologo
dotnet run -c Release --project bench/cluster/Opskit.Cluster.Bench -- --repo "$root" --seconds "$seconds" --rounds "$rounds" "$@"
