// The reference tokenizer for TokenizerDifferentialTests: transformers.js (@huggingface/transformers, the version in
// tests/npm-packages.txt) AutoTokenizer on MODEL_DIR's tokenizer.json. Reads a JSON array of strings from
// INPUT_JSON and writes a JSON array of their untruncated token ids ([CLS] ... [SEP]) to OUTPUT_JSON: one node
// process for the whole batch.
//
//   node reference-tokenizer.cjs MODEL_DIR INPUT_JSON OUTPUT_JSON
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

async function main() {
  const [modelDir, inputFile, outputFile] = process.argv.slice(2);
  const nodeModules = process.env.OPSKIT_NODE_MODULES;
  const { AutoTokenizer, env } = createRequire(path.join(nodeModules, 'noop.js'))('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = path.dirname(path.resolve(modelDir));
  const tokenizer = await AutoTokenizer.from_pretrained(path.basename(path.resolve(modelDir)));
  const texts = JSON.parse(fs.readFileSync(inputFile, 'utf8'));
  const out = fs.openSync(outputFile, 'w');
  fs.writeSync(out, '[');
  for (let i = 0; i < texts.length; i++) {
    // encode() without truncation: transformers.js 4.3.1 drops [SEP] when it truncates, so the test truncates
    // the reference's ids itself, the way sentence-transformers (the Rust tokenizers) does.
    const ids = tokenizer.encode(texts[i]);
    fs.writeSync(out, (i === 0 ? '' : ',') + '[' + ids.join(',') + ']');
  }

  fs.writeSync(out, ']');
  fs.closeSync(out);
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
