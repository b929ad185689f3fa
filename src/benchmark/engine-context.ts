/**
 * The embedded engine's context size per sequence, sized from the workload when the user did not set one.
 * The engine's tokenizer is not the client's (the generated models' tokenizers split English 2-3x finer), so the
 * bound is the prompt's UTF-8 bytes: a BPE tokenizer with byte fallback never makes more tokens than bytes.
 */
import type { Workload } from '../workload/spec.js';
import { DEFAULTS } from '../config/defaults.js';

/** Requests looked at to size the context: enough to see the long tail of a length distribution. */
const SAMPLE_SPECS = 2_000;
/** Chat template, role markers and the BOS token. */
const TEMPLATE_MARGIN_TOKENS = 64;
/** Output tokens assumed when a request leaves max_tokens to the server. */
const UNSET_OUTPUT_TOKENS = 512;

export interface ContextSizing {
  /** Tokens per sequence to start the engine with. */
  contextSize: number;
  /** Tokens the longest sampled request may need (prompt bytes + output + template). */
  needed: number;
  /** True when `needed` was above the automatic cap: the longest requests may be refused. */
  capped: boolean;
}

/**
 * Context for the first `count` requests of the workload (at most 2,000 are looked at), rounded up to 1,024,
 * between the default minimum and the automatic cap.
 *
 * @example contextForWorkload(workload, 100) // { contextSize: 5120, needed: 4821, capped: false }
 */
export function contextForWorkload(workload: Workload, count: number): ContextSizing {
  const n = Math.max(1, Math.min(count, workload.size, SAMPLE_SPECS));
  let needed = 0;
  for (let i = 0; i < n; i++) {
    const spec = workload.spec(i);
    const text = spec.messages ? spec.messages.map((m) => m.content).join('\n') : (spec.prompt ?? '');
    const messages = spec.messages?.length ?? 1;
    const tokens = Buffer.byteLength(text, 'utf8') + TEMPLATE_MARGIN_TOKENS * messages + (spec.max_tokens ?? UNSET_OUTPUT_TOKENS);
    if (tokens > needed) needed = tokens;
  }
  const { min, max } = DEFAULTS.engine.autoContext;
  const rounded = Math.ceil(needed / 1024) * 1024;
  return { contextSize: Math.min(max, Math.max(min, rounded)), needed, capped: rounded > max };
}
