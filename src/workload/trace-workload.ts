/**
 * The prompts of a replayed trace: entry i's input and output lengths, its text built from 512-token blocks so
 * requests that share leading hash ids (Mooncake) share exactly that prefix, and nothing else is shared.
 */
import { forkRng } from '../util/rng.js';
import { corpusIndex } from './corpus-index.js';
import { corpusSlice } from './synthetic.js';
import { TRACE_BLOCK_TOKENS, type TraceEntry } from './trace.js';
import type { RequestSpec, Workload } from './spec.js';
import { countTokens } from '../text/tokenizer.js';

export interface TraceWorkloadOptions {
  entries: readonly TraceEntry[];
  seed: number;
  exactOutput: boolean;
  /** Six digits opening every prompt (see synthetic.ts): no cache matches another run's prompts. */
  nonce?: string;
  /** Client tokens per server token and the template's tokens, from calibration (see calibrate.ts). */
  inputScale?: number;
  inputOffset?: number;
  /** Label for reports. */
  name: string;
}

export function createTraceWorkload(options: TraceWorkloadOptions): Workload {
  const corpus = corpusIndex();
  const seed = options.seed >>> 0;
  const nonceLine = options.nonce ? `Run ${options.nonce}:\n` : '';
  const nonceTokens = countTokens(nonceLine);
  const scale = options.inputScale ?? 1;
  const block = Math.max(1, Math.round(TRACE_BLOCK_TOKENS * scale));
  const n = options.entries.length;
  // Block text depends only on (block id, length), so every prompt holding a block holds the same text.
  const blockText = (key: string, length: number): string => corpusSlice(corpus, forkRng(seed, key).int(0, corpus.size - 1), length);
  return {
    name: options.name,
    size: n,
    spec(index: number): RequestSpec {
      if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`spec index must be an integer >= 0, got ${index}`);
      const e = options.entries[index % n]!;
      const target = options.inputScale ? Math.max(1, Math.round((e.inputTokens - (options.inputOffset ?? 0)) * scale)) : e.inputTokens;
      const lead = target - nonceTokens >= 1 ? nonceLine : '';
      let remaining = target - (lead ? nonceTokens : 0);
      let prompt = lead;
      for (let k = 0; remaining > 0; k++) {
        const length = Math.min(block, remaining);
        const id = e.hashIds?.[k];
        // Blocks past the trace's ids, and every block of a trace without ids, belong to this request alone.
        prompt += blockText(id !== undefined ? `trace-block:${id}:${length}` : `trace-request:${index}:${k}:${length}`, length);
        remaining -= length;
      }
      return { prompt, max_tokens: e.outputTokens, exact_output: options.exactOutput, input_tokens: options.inputScale ? e.inputTokens : target };
    },
  };
}
