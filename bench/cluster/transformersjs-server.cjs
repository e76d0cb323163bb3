// The Node peer: a small HTTP server (POST /embed {"inputs": [...]}) that hands requests to one worker
// thread running transformers.js; the worker embeds everything that queued while it was busy as one batch.
// Usage: node transformersjs-server.cjs MODEL_DIR PORT
'use strict';
const http = require('node:http');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

if (isMainThread) {
  const [modelDir, portArg] = process.argv.slice(2);
  const worker = new Worker(__filename, { workerData: { modelDir } });
  const pending = new Map();
  let nextId = 0;
  let ready = false;
  worker.on('message', (message) => {
    if (message.ready) { ready = true; console.log('ready'); return; }
    const respond = pending.get(message.id);
    pending.delete(message.id);
    if (respond) respond(message);
  });
  worker.on('error', (err) => { console.error(err); process.exit(1); });
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health/ready') {
      res.writeHead(ready ? 200 : 503).end();
      return;
    }
    if (req.method !== 'POST' || req.url !== '/embed') { res.writeHead(404).end(); return; }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let inputs;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        inputs = typeof body.inputs === 'string' ? [body.inputs] : body.inputs;
        if (!Array.isArray(inputs)) throw new Error('inputs');
      } catch {
        res.writeHead(400).end();
        return;
      }
      const id = nextId++;
      pending.set(id, (message) => {
        if (message.error) { res.writeHead(500).end(message.error); return; }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(message.vectors));
      });
      worker.postMessage({ id, inputs });
    });
  });
  server.listen(Number(portArg), '127.0.0.1');
} else {
  const { createExtractor } = require('./transformersjs-common.cjs');
  const queue = [];
  let busy = false;
  let embed;
  async function pump() {
    if (busy || !embed || queue.length === 0) return;
    busy = true;
    const jobs = queue.splice(0, queue.length);
    try {
      const texts = jobs.flatMap((j) => j.inputs);
      const vectors = await embed(texts);
      let offset = 0;
      for (const job of jobs) {
        parentPort.postMessage({ id: job.id, vectors: vectors.slice(offset, offset + job.inputs.length) });
        offset += job.inputs.length;
      }
    } catch (err) {
      for (const job of jobs) parentPort.postMessage({ id: job.id, error: String(err) });
    }
    busy = false;
    setImmediate(pump);
  }
  parentPort.on('message', (job) => { queue.push(job); pump(); });
  createExtractor(workerData.modelDir).then(async (extractor) => {
    embed = extractor;
    await embed(['warm up']);
    parentPort.postMessage({ ready: true });
    pump();
  });
}
