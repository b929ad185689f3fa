#!/usr/bin/env node
// Finds every *.test.ts under src/ and test/ and runs them with node's test runner through tsx, in two lanes:
// files that check timing against real servers (marked `// test-lane: timing` in their first lines) run one at a
// time, so no other test competes with them for the CPU; every other file runs in parallel with the others.
// Usage: npm test [-- path-filter ...]; INFERSCOPE_TEST_JOBS=N sets the parallel lane's width (default: cores).
import { readdirSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

function find(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function head(file) {
  const buf = Buffer.alloc(600);
  const fd = openSync(file, 'r');
  try { return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8'); } finally { closeSync(fd); }
}

function run(files, concurrency) {
  if (files.length === 0) return Promise.resolve(0);
  const child = spawn(
    process.execPath,
    // A hung test fails after 5 minutes instead of holding CI to its overall limit.
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', '--test-reporter=spec', ...files],
    { stdio: 'inherit' },
  );
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

const filters = process.argv.slice(2);
const files = find('src', find('test', []))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const timing = files.filter((f) => /\/\/ test-lane: timing/.test(head(f)));
const parallel = files.filter((f) => !timing.includes(f));
const jobs = Math.max(1, Number(process.env.INFERSCOPE_TEST_JOBS) || availableParallelism());
const started = performance.now();
const parallelStatus = await run(parallel, jobs);
const timingStatus = await run(timing, 1);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`\n${files.length} test files (${parallel.length} in parallel x${jobs}, ${timing.length} timing-sensitive one at a time) in ${seconds} s`);
process.exit(parallelStatus !== 0 ? parallelStatus : timingStatus);
