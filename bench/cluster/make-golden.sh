#!/usr/bin/env bash
# Regenerates tests/Opskit.Cluster.Tests/Embeddings/data/golden-embeddings.json: the token ids and embeddings of
# every text in golden-inputs.json beside it, computed by transformers.js (@huggingface/transformers 4.3.1, an
# independent implementation of the tokenizer and the pooling) on the model exported from the NuGet package.
# Usage: bench/cluster/make-golden.sh   (needs node and npm; installs transformers.js into .tools/node when missing)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
data="tests/Opskit.Cluster.Tests/Embeddings/data"
model="artifacts/golden/all-MiniLM-L6-v2"
if [ ! -d .tools/node/node_modules/@huggingface/transformers ]; then
  npm install --prefix .tools/node --no-audit --no-fund --loglevel=error @huggingface/transformers@4.3.1
fi
dotnet build -c Release bench/cluster/Opskit.Cluster.Bench -v quiet -nologo
rm -rf "$model"
dotnet bench/cluster/Opskit.Cluster.Bench/bin/Release/net10.0/Opskit.Cluster.Bench.dll export-model "$model"
node bench/cluster/golden.cjs "$model" "$data/golden-inputs.json" "$data/golden-embeddings.json"
