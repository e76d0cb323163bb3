// transformers.js in-process throughput at batch 1 and batch 64 over the same titles as the Opskit engine.
// Usage: node transformersjs-inprocess.cjs MODEL_DIR TITLES_JSONL SECONDS
'use strict';
const fs = require('node:fs');
const { createExtractor } = require('./transformersjs-common.cjs');

async function main() {
  const [modelDir, titlesFile, secondsArg] = process.argv.slice(2);
  const seconds = Number(secondsArg || 10);
  const titles = fs.readFileSync(titlesFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text);
  const embed = await createExtractor(modelDir);
  await embed(titles.slice(0, 8)); // warm-up
  const result = {};
  for (const batch of [1, 64]) {
    let done = 0;
    let next = 0;
    const start = process.hrtime.bigint();
    const limit = BigInt(Math.round(seconds * 1e9));
    while (process.hrtime.bigint() - start < limit && done < 1_000_000) {
      const texts = [];
      for (let i = 0; i < batch; i++) texts.push(titles[(next++) % titles.length]);
      await embed(texts);
      done += batch;
    }
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    result[`batch${batch}`] = done / elapsed;
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => { console.error(err); process.exit(1); });
