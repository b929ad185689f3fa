/**
 * A workload over dataset entries: spec(i) = entries[order[i % n]], where `order` is a seeded shuffle
 * (or file order). Token counts are computed on first use and memoised; `warm` precomputes them in
 * the order the run will use them, so tokenizing stays out of the send path for typical runs.
 */
import { forkRng } from '../util/rng.js';
import type { DatasetEntry } from './dataset-entry.js';
import type { RequestSpec, Workload } from './spec.js';
import { countTokens } from '../text/tokenizer.js';

export interface DatasetWorkloadOptions {
  /** Shuffle seed; the same seed gives the same order. */
  seed: number;
  /** false keeps file order. */
  shuffle: boolean;
  /** Ask for exactly max_tokens on entries that have one. */
  exactOutput: boolean;
  /** Opens every prompt (the first message's content in chat), so prompt caches cannot match another run's. */
  nonce?: string;
}

/** A dataset workload that can precompute its token counts. */
export interface DatasetWorkload extends Workload {
  /** Tokenize entries in run order until done or `budgetMs` has passed; returns how many are ready. */
  warm(budgetMs: number): number;
}

/**
 * Wrap parsed entries (at least one) as a cycling workload.
 * @example createDatasetWorkload('prompts.jsonl', entries, { seed: 1, shuffle: true, exactOutput: false }).spec(0)
 */
export function createDatasetWorkload(
  name: string,
  entries: readonly DatasetEntry[],
  options: DatasetWorkloadOptions,
): DatasetWorkload {
  const n = entries.length;
  if (n === 0) throw new RangeError('a dataset workload needs at least one entry');
  const order = options.shuffle ? shuffledOrder(n, options.seed) : null;
  const specs: Array<RequestSpec | undefined> = new Array(n);
  let warmed = 0;

  const specAt = (position: number): RequestSpec => {
    const slot = order ? (order[position] as number) : position;
    let spec = specs[slot];
    if (spec === undefined) {
      spec = toSpec(entries[slot] as DatasetEntry, options.exactOutput, options.nonce ? `Run ${options.nonce}:\n` : '');
      specs[slot] = spec;
    }
    return spec;
  };

  return {
    name,
    size: n,
    spec(index: number): RequestSpec {
      if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`spec index must be an integer >= 0, got ${index}`);
      // A fresh object per call so callers cannot alter the memoised spec.
      const spec = specAt(index % n);
      return { ...spec, ...(spec.messages ? { messages: spec.messages.map((m) => ({ ...m })) } : {}) };
    },
    warm(budgetMs: number): number {
      const deadline = performance.now() + budgetMs;
      while (warmed < n && performance.now() < deadline) {
        // Check the clock every 64 entries: reading it is cheap but not free.
        const stop = Math.min(n, warmed + 64);
        for (; warmed < stop; warmed++) specAt(warmed);
      }
      return warmed;
    },
  };
}

function toSpec(entry: DatasetEntry, exactOutput: boolean, lead: string): RequestSpec {
  const maxTokens = entry.maxTokens ?? (entry.answer !== undefined ? Math.max(1, countTokens(entry.answer)) : null);
  const messages = entry.messages && lead ? entry.messages.map((m, i) => (i === 0 ? { ...m, content: lead + m.content } : m)) : entry.messages;
  const prompt = lead + (entry.prompt ?? '');
  // Message content only: chat templates add a few tokens per message that vary by model.
  const inputTokens = messages ? messages.reduce((sum, m) => sum + countTokens(m.content), 0) : countTokens(prompt);
  return {
    ...(messages ? { messages } : { prompt }),
    max_tokens: maxTokens,
    // A scored answer must end where the model ends it: forcing the length would append text after the answer.
    exact_output: maxTokens !== null && exactOutput && !entry.references,
    input_tokens: inputTokens,
    ...(entry.references ? { references: [...entry.references] } : {}),
  };
}

/** Fisher-Yates permutation of 0..n-1 from the seed. */
export function shuffledOrder(n: number, seed: number): Uint32Array {
  const rng = forkRng(seed >>> 0, 'dataset-order');
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}
