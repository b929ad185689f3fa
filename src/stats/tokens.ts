/** Token accounting over a set of records: totals, where counts came from, and how sources disagree. */
import type { RequestRecord } from '../measure/record.js';
import { outputTokens } from './request-metrics.js';

export interface TokenTotals {
  /** Sum over the records. */
  total: number;
  /** Records per count source, e.g. { usage: 98, tokenizer: 2 }; 'unknown' when none was recorded. */
  sources: Record<string, number>;
}

export interface SourceDiscrepancy {
  /** Records that also had this source's count. */
  requests: number;
  /** Sum of (that source's count - the count used). */
  total_diff: number;
  /** Largest |that source's count - the count used|. */
  max_abs_diff: number;
}

export interface OutputTokenTotals extends TokenTotals {
  /** Per alternative source, how its counts differed from the count used (empty when none recorded). */
  discrepancy: Record<string, SourceDiscrepancy>;
}

/** Input token totals: usage.prompt_tokens, else tokenizer, else dataset length; a missing count adds 0. */
export function inputTokenTotals(records: readonly RequestRecord[]): TokenTotals {
  let total = 0;
  const sources: Record<string, number> = {};
  for (const r of records) {
    const known = r.input_tokens !== null && Number.isFinite(r.input_tokens);
    if (known) total += r.input_tokens as number;
    const source = known ? (r.input_tokens_source ?? 'unknown') : 'unknown';
    sources[source] = (sources[source] ?? 0) + 1;
  }
  return { total, sources };
}

/** Prompt tokens of one count source: how many requests had it, and their sum. */
export interface SourceTotal {
  requests: number;
  tokens: number;
}

/**
 * Prompt tokens per count source over succeeded and failed requests together, never summed across sources: a
 * server's usage count and a client estimate measure different things (the client's tokenizer is not the
 * model's, and a refused request's prompt was never processed).
 */
export function inputTokensBySource(records: readonly RequestRecord[]): Record<string, SourceTotal> {
  const out: Record<string, SourceTotal> = {};
  for (const r of records) {
    if (r.input_tokens === null || !Number.isFinite(r.input_tokens)) continue;
    const t = (out[r.input_tokens_source ?? 'unknown'] ??= { requests: 0, tokens: 0 });
    t.requests++;
    t.tokens += r.input_tokens;
  }
  return out;
}

/** Output token totals N (see outputTokens), with sources and cross-source discrepancies. */
export function outputTokenTotals(records: readonly RequestRecord[]): OutputTokenTotals {
  let total = 0;
  const sources: Record<string, number> = {};
  const discrepancy: Record<string, SourceDiscrepancy> = {};
  for (const r of records) {
    const n = outputTokens(r);
    total += n.count;
    sources[n.source] = (sources[n.source] ?? 0) + 1;
    for (const [source, alt] of Object.entries(r.output_tokens_alt ?? {})) {
      if (source === n.source || typeof alt !== 'number' || !Number.isFinite(alt)) continue;
      const d = (discrepancy[source] ??= { requests: 0, total_diff: 0, max_abs_diff: 0 });
      d.requests++;
      d.total_diff += alt - n.count;
      d.max_abs_diff = Math.max(d.max_abs_diff, Math.abs(alt - n.count));
    }
  }
  return { total, sources, discrepancy };
}
