#!/usr/bin/env node
// Builds llama.cpp's `llama-server` from the source bundled inside node-llama-cpp, once, into the cache
// (keyed by the bundled commit), for the compatibility tests against a real engine. No network: the source is
// the bundle, the web UI is left out. Prints the binary's path. About 10-15 minutes on 2 cores the first time.
//
//   node scripts/ensure-llama-server.js          build if missing, print the path
//   node scripts/ensure-llama-server.js --path   print the path it would have (exit 1 if not built)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';

const require = createRequire(import.meta.url);
// The package root is above its resolved entry point (its exports hide package.json).
let root = dirname(require.resolve('node-llama-cpp'));
while (!existsSync(join(root, 'llama', 'gitRelease.bundle')) && dirname(root) !== root) root = dirname(root);
const bundle = join(root, 'llama', 'gitRelease.bundle');
if (!existsSync(bundle)) {
  console.error(`no llama.cpp source bundle at ${bundle}`);
  process.exit(1);
}
const commit = execFileSync('git', ['bundle', 'list-heads', bundle], { encoding: 'utf8' }).trim().split(/\s+/)[0];
const base = process.env.INFERSCOPE_CACHE_DIR ?? envPaths('inferscope').cache;
const dir = join(base, 'llama-server', commit.slice(0, 12));
const binary = join(dir, 'llama-server');
const done = join(dir, 'built');

if (existsSync(done) && existsSync(binary)) {
  console.log(binary);
  process.exit(0);
}
if (process.argv.includes('--path')) process.exit(1);

const work = join(dir, 'work');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const started = Date.now();
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    console.error(`llama-server build failed at: ${cmd} ${args.join(' ')}`);
    process.exit(1);
  }
};
console.error(`building llama-server ${commit.slice(0, 12)} from the bundled source into ${dir} (once; ~10-15 min on 2 cores)`);
run('git', ['clone', '--quiet', bundle, 'src']);
const generator = spawnSync('ninja', ['--version']).status === 0 ? ['-G', 'Ninja'] : [];
run('cmake', [
  '-S', 'src', '-B', 'build', ...generator,
  '-DCMAKE_BUILD_TYPE=Release',
  '-DBUILD_SHARED_LIBS=OFF',
  '-DGGML_NATIVE=ON',
  '-DLLAMA_BUILD_SERVER=ON',
  '-DLLAMA_BUILD_TOOLS=ON',
  '-DLLAMA_BUILD_TESTS=OFF',
  '-DLLAMA_BUILD_EXAMPLES=OFF',
  '-DLLAMA_BUILD_APP=OFF',
  '-DLLAMA_BUILD_UI=OFF',
  '-DLLAMA_USE_PREBUILT_UI=OFF',
  '-DLLAMA_OPENSSL=OFF',
]);
run('cmake', ['--build', 'build', '--target', 'llama-server', '-j', String(availableParallelism())]);
copyFileSync(join(work, 'build', 'bin', 'llama-server'), binary);
chmodSync(binary, 0o755);
writeFileSync(done, `${commit}\n`);
rmSync(work, { recursive: true, force: true });
console.error(`llama-server built in ${((Date.now() - started) / 60000).toFixed(1)} min`);
console.log(binary);
