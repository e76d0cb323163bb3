// Counts the results of the HTTP cache test suite (cache-tests.fyi) by kind, the way the published table does:
// tests a browser-only run skips are left out, a test passes only when its result is `true`.
// Usage: node cache-suite-count.mjs SUITE_ROOT RESULTS.json  (SUITE_ROOT holds tests/index.mjs)
import { readFileSync } from 'fs'
import { pathToFileURL } from 'url'
import path from 'path'

const [root, resultsFile] = process.argv.slice(2)
const { default: suites } = await import(pathToFileURL(path.join(root, 'tests', 'index.mjs')).href)
const results = JSON.parse(readFileSync(resultsFile, 'utf8'))
const counts = { required: { passed: 0, total: 0 }, optimal: { passed: 0, total: 0 }, check: { passed: 0, total: 0 } }
const passed = []
const failed = {}
for (const suite of suites) {
  for (const test of suite.tests) {
    if (test.browser_only === true) continue
    const kind = test.kind || 'required'
    if (!counts[kind]) continue
    counts[kind].total++
    if (results[test.id] === true) {
      counts[kind].passed++
      passed.push(test.id)
    } else {
      failed[test.id] = [kind, results[test.id] === undefined ? 'not run' : String(results[test.id])]
    }
  }
}
console.log(JSON.stringify({ counts, passed, failed }))
