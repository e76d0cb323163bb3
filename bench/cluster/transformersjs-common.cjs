// Shared by the transformers.js peers: loads all-MiniLM-L6-v2 from the local folder written by
// `Opskit.Cluster.Bench export-model`, with remote downloads switched off.
'use strict';
const path = require('node:path');
const { createRequire } = require('node:module');

function loadTransformers() {
  const nodeModules = process.env.OPSKIT_NODE_MODULES || path.resolve(__dirname, '../../.tools/node/node_modules');
  const requireFrom = createRequire(path.join(nodeModules, 'noop.js'));
  return requireFrom('@huggingface/transformers');
}

async function createExtractor(modelRoot) {
  const { pipeline, env } = loadTransformers();
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = path.dirname(path.resolve(modelRoot));
  const extractor = await pipeline('feature-extraction', path.basename(path.resolve(modelRoot)), { dtype: 'fp32', device: 'cpu' });
  return async (texts) => {
    const output = await extractor(texts, { pooling: 'mean', normalize: true });
    return output.tolist();
  };
}

module.exports = { createExtractor };
