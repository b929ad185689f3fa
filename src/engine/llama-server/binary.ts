/**
 * llama.cpp's own `llama-server`, built once from the source bundled inside node-llama-cpp (no download) into the
 * cache, keyed by the bundled commit. The embedded engine runs on it when it is there: it is the engine the
 * node-llama-cpp bindings wrap, without their per-token round trips between JavaScript and native threads.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';

export interface LlamaCppSource {
  /** The git bundle of llama.cpp's source that ships in node-llama-cpp. */
  bundle: string;
  commit: string;
}

/** The bundled llama.cpp source and its commit, read from the bundle's header (no git needed), or null. */
export function bundledLlamaCppSource(): LlamaCppSource | null {
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve('node-llama-cpp'));
  } catch {
    return null;
  }
  // The package root is above its resolved entry point (its exports hide package.json).
  while (!existsSync(join(root, 'llama', 'gitRelease.bundle')) && dirname(root) !== root) root = dirname(root);
  const bundle = join(root, 'llama', 'gitRelease.bundle');
  if (!existsSync(bundle)) return null;
  const fd = openSync(bundle, 'r');
  try {
    const head = Buffer.alloc(256);
    const n = readSync(fd, head, 0, head.length, 0);
    // "# v2 git bundle\n<40 hex> HEAD\n..."
    const commit = /^# v[23] git bundle\n(?:@[^\n]*\n)*([0-9a-f]{40}) /.exec(head.subarray(0, n).toString('latin1'))?.[1];
    return commit ? { bundle, commit } : null;
  } finally {
    closeSync(fd);
  }
}

/** Where the build for `commit` lives: $INFERSCOPE_CACHE_DIR or the user cache directory, then llama-server/<commit>. */
export function llamaServerDir(commit: string): string {
  const base = process.env.INFERSCOPE_CACHE_DIR ?? envPaths('inferscope').cache;
  return join(base, 'llama-server', commit.slice(0, 12));
}

/** The built llama-server for the bundled source, or null when it has not been built. */
export function findLlamaServer(): string | null {
  const source = bundledLlamaCppSource();
  if (!source) return null;
  const dir = llamaServerDir(source.commit);
  const binary = join(dir, 'llama-server');
  return existsSync(join(dir, 'built')) && existsSync(binary) ? binary : null;
}

export class LlamaServerBuildError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LlamaServerBuildError';
  }
}

/** Tools the build needs: git (to open the bundle), cmake and a C++ compiler. Returns the missing ones. */
export function missingBuildTools(): string[] {
  const has = (cmd: string, arg = '--version'): boolean => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
  const missing: string[] = [];
  if (!has('git')) missing.push('git');
  if (!has('cmake')) missing.push('cmake');
  if (!has('c++') && !has('g++') && !has('clang++')) missing.push('a C++ compiler (g++ or clang++)');
  return missing;
}

/**
 * Builds llama-server for the bundled commit (CPU, tuned to this machine) unless it is built already; returns its
 * path. About 8-13 minutes on 2 cores. `log` gets one line per stage.
 */
export async function buildLlamaServer(log: (line: string) => void = () => undefined): Promise<string> {
  const source = bundledLlamaCppSource();
  if (!source) throw new LlamaServerBuildError('node-llama-cpp ships no llama.cpp source bundle here');
  const existing = findLlamaServer();
  if (existing) return existing;
  const missing = missingBuildTools();
  if (missing.length > 0) throw new LlamaServerBuildError(`building llama-server needs ${missing.join(', ')}`);
  const dir = llamaServerDir(source.commit);
  const work = join(dir, 'work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const run = async (stage: string, cmd: string, args: string[]): Promise<void> => {
    log(stage);
    const child = spawn(cmd, args, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (tail = (tail + d).slice(-4000)));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new LlamaServerBuildError(`llama-server build failed at: ${cmd} ${args.join(' ')}\n${tail.trim()}`);
  };
  await run('unpacking the bundled llama.cpp source', 'git', ['clone', '--quiet', source.bundle, 'src']);
  const ninja = spawnSync('ninja', ['--version'], { stdio: 'ignore' }).status === 0;
  await run('configuring (cmake)', 'cmake', [
    '-S', 'src', '-B', 'build', ...(ninja ? ['-G', 'Ninja'] : []),
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
  await run(`compiling llama-server on ${availableParallelism()} cores (the long part)`, 'cmake', ['--build', 'build', '--target', 'llama-server', '-j', String(availableParallelism())]);
  const binary = join(dir, 'llama-server');
  copyFileSync(join(work, 'build', 'bin', 'llama-server'), binary);
  chmodSync(binary, 0o755);
  writeFileSync(join(dir, 'built'), `${source.commit}\n`);
  rmSync(work, { recursive: true, force: true });
  return binary;
}
