/**
 * Load a dataset file as a workload, choosing the parser by `format`, by extension, or by the first
 * character of the file (`[` = ShareGPT array, otherwise JSONL).
 */
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { DatasetError } from './dataset-error.js';
import type { DatasetEntries, DatasetEntry } from './dataset-entry.js';
import { createDatasetWorkload } from './dataset-workload.js';
import type { DatasetWorkload } from './dataset-workload.js';
import { readJsonl } from './jsonl.js';
import { readShareGpt } from './sharegpt.js';

export type DatasetFormat = 'jsonl' | 'sharegpt';

export interface LoadDatasetOptions {
  /** Skip malformed lines (counted in `skipped`) instead of failing on the first. */
  skipBadLines: boolean;
  /** Force a parser; by default chosen from the extension and content. */
  format?: DatasetFormat;
  /** Shuffle seed (default 0). */
  seed?: number;
  /** Shuffle the order by the seed (default true); false sends entries in file order. */
  shuffle?: boolean;
  /** Ask for exactly max_tokens on entries that state or imply one (default false). */
  exactOutput?: boolean;
  /** Per-run nonce opening every prompt (see synthetic `runNonce`); none by default. */
  nonce?: string;
  /** Milliseconds to spend precomputing token counts before returning (default 2000). */
  warmBudgetMs?: number;
}

export interface LoadedDataset {
  workload: DatasetWorkload;
  /** The entries as read (file order), for workloads built otherwise (conversations). */
  entries: DatasetEntry[];
  /** Records not used (malformed when skipping, or incomplete conversations). */
  skipped: number;
  warnings: string[];
}

/**
 * Read `path` into a cycling workload: spec(i) takes entry order[i % n].
 * @example const { workload, skipped } = await loadDataset('prompts.jsonl', { skipBadLines: false, seed: 42 });
 * @throws DatasetError naming the file (and line) when it is unreadable, malformed or empty.
 */
export async function loadDataset(path: string, options: LoadDatasetOptions): Promise<LoadedDataset> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (err) {
    throw new DatasetError(path, null, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  if (size === 0) throw new DatasetError(path, null, 'dataset is empty');
  const format = options.format ?? (await detectFormat(path));
  const read: DatasetEntries =
    format === 'sharegpt'
      ? await readShareGpt(path, { skipBadLines: options.skipBadLines })
      : await readJsonl(path, { skipBadLines: options.skipBadLines });
  if (read.entries.length === 0) {
    const why = read.skipped > 0 ? ` (${read.skipped} records skipped)` : '';
    throw new DatasetError(path, null, `no usable entries${why}; expected ${FORM_HINT[format]}`);
  }
  const workload = createDatasetWorkload(`${format}:${path}`, read.entries, {
    seed: options.seed ?? 0,
    shuffle: options.shuffle ?? true,
    exactOutput: options.exactOutput ?? false,
    ...(options.nonce ? { nonce: options.nonce } : {}),
  });
  workload.warm(options.warmBudgetMs ?? 2000);
  return { workload, entries: read.entries, skipped: read.skipped, warnings: read.warnings };
}

const FORM_HINT: Record<DatasetFormat, string> = {
  jsonl: 'one JSON object per line with "prompt" or "messages"',
  sharegpt: 'a JSON array of {"conversations": [{"from": "human", ...}, {"from": "gpt", ...}]}',
};

/**
 * The parser for `path`: `.jsonl`/`.ndjson` are JSONL; otherwise a file starting with `[` is
 * ShareGPT and anything else JSONL.
 */
export async function detectFormat(path: string): Promise<DatasetFormat> {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return head.startsWith('[') ? 'sharegpt' : 'jsonl';
  } catch (err) {
    throw new DatasetError(path, null, `cannot read: ${(err as Error).message}`, { cause: err });
  } finally {
    await handle.close();
  }
}
