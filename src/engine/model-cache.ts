import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import envPaths from 'env-paths';
import { writeLlamaGguf } from './gguf/llama-model.js';
import { PRESETS, parsePresetName } from './gguf/presets.js';

export interface EnsureModelOptions {
  /** Where generated models live. Default: $INFERSCOPE_CACHE_DIR/models, else the user cache dir + /models. */
  cacheDir?: string;
  /** Weight seed; different seeds give different (equally random) models. Default 42. */
  seed?: number;
}

/** Format version of generated files; bump when the generator's output changes so stale caches are not reused. */
const GENERATOR_VERSION = 1;

/** The default directory for generated models. */
export function defaultModelCacheDir(): string {
  const base = process.env.INFERSCOPE_CACHE_DIR;
  return base ? join(base, 'models') : join(envPaths('inferscope').cache, 'models');
}

/** The served model name for a preset, e.g. `inferscope-tiny`. */
export function presetModelId(preset: string): string {
  return `inferscope-${preset}`;
}

/**
 * Returns the path of a generated GGUF for `preset`, generating it on first use. Generation writes a temp
 * file and renames it, so concurrent callers and interrupted runs never see a partial model.
 *
 * @example
 * const path = await ensureModel('tiny'); // ~/.cache/inferscope-nodejs/models/inferscope-tiny-s42-v1.gguf
 */
export async function ensureModel(preset: string, options: EnsureModelOptions = {}): Promise<string> {
  const name = parsePresetName(preset);
  const seed = options.seed ?? 42;
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  const dir = options.cacheDir ?? defaultModelCacheDir();
  const path = join(dir, `${presetModelId(name)}-s${seed}-v${GENERATOR_VERSION}.gguf`);
  try {
    if ((await stat(path)).isFile()) return path;
  } catch {
    // not generated yet
  }
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeLlamaGguf(tmp, PRESETS[name], seed, presetModelId(name));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`could not generate model '${name}' in ${dir}`, { cause: err });
  }
  return path;
}

/** The model file to serve and the name to serve it under: a given GGUF (named after its file) or a preset's. */
export async function servedModel(opts: { modelPath?: string; preset?: string; cacheDir?: string }): Promise<{ modelPath: string; modelId: string }> {
  if (opts.modelPath) return { modelPath: opts.modelPath, modelId: basename(opts.modelPath).replace(/\.gguf$/i, '') };
  const preset = opts.preset ?? 'tiny';
  return { modelPath: await ensureModel(preset, opts.cacheDir ? { cacheDir: opts.cacheDir } : {}), modelId: presetModelId(preset) };
}
