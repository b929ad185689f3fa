#!/usr/bin/env node
// Builds llama.cpp's `llama-server` from the source bundled inside node-llama-cpp, once, into the cache (keyed by
// the bundled commit): the compatibility tests run against it and the embedded engine runs on it. Same as
// `inferscope build-engine`; runs after the build (it uses dist/). Prints the binary's path.
//
//   node scripts/ensure-llama-server.js          build if missing, print the path
//   node scripts/ensure-llama-server.js --path   print the path it would have (exit 1 if not built)
import { buildLlamaServer, findLlamaServer } from '../dist/engine/llama-server/binary.js';

const found = findLlamaServer();
if (found) {
  console.log(found);
  process.exit(0);
}
if (process.argv.includes('--path')) process.exit(1);
const started = Date.now();
try {
  const binary = await buildLlamaServer((line) => console.error(`llama-server: ${line}`));
  console.error(`llama-server built in ${((Date.now() - started) / 60000).toFixed(1)} min`);
  console.log(binary);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
