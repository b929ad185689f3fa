/**
 * One endpoint's figures for one workload shape, from its run: what a leaderboard compares. Tokens differ between
 * models, so speed is also given in characters and words of output per second.
 */
import type { RequestRecord } from '../measure/record.js';
import type { RunSummary } from '../stats/summary.js';
import { quantileSorted } from '../stats/percentiles.js';
import { e2eMs } from '../stats/request-metrics.js';

export interface EndpointRow {
  endpoint: string;
  shape: string;
  run_id: string;
  url: string;
  model: string;
  gpus: number | null;
  requests: number;
  error_rate: number | null;
  /** Median time to the first token-bearing chunk, ms. */
  ttft_p50_ms: number | null;
  /** Output tokens per second per request while decoding (1000 / TPOT p50). */
  tokens_per_s_per_user: number | null;
  /** Median per request of output characters / E2E (s), and words / E2E. */
  chars_per_s_per_user: number | null;
  words_per_s_per_user: number | null;
  /** Output tokens per whitespace-separated word (the endpoint's tokenizer on its own answers). */
  tokens_per_word: number | null;
  /** Time from sending to the 100th output token, ms: measured from the chunks when requests are that long, else TTFT + 99 x TPOT. */
  time_to_100_tokens_ms: number | null;
  time_to_100_tokens_method: 'measured' | 'computed' | null;
  e2e_p50_ms: number | null;
  output_tokens_per_s: number | null;
  cost_per_1m_output_tokens: number | null;
  /** Scaling: output tok/s per GPU and efficiency against the smallest configuration of the shape (filled later). */
  output_tokens_per_s_per_gpu: number | null;
  scaling_efficiency: number | null;
  quality: { exact_match: number; f1: number; rouge_l: number } | null;
}

const median = (xs: number[]): number | null => (xs.length === 0 ? null : quantileSorted([...xs].sort((a, b) => a - b), 0.5));

/** When the 100th output token arrived (ms after send), if the chunks say so: their counts, or one token each. */
function timeTo100(r: RequestRecord): number | null {
  if (!r.ok || (r.output_tokens ?? 0) < 100) return null;
  const oneEach = r.chunks.every((c) => c.tokens === undefined || c.tokens === null) && r.output_tokens === r.chunks.length;
  let seen = 0;
  for (const c of r.chunks) {
    const n = typeof c.tokens === 'number' ? c.tokens : oneEach ? 1 : null;
    if (n === null) return null;
    seen += n;
    if (seen >= 100) return c.t - r.t_send;
  }
  return null;
}

export function endpointRow(
  target: { name: string; url: string; gpus: number | null },
  shape: string,
  run: { id: string; model: string; summary: RunSummary; records: readonly RequestRecord[] },
): EndpointRow {
  const s = run.summary;
  const ok = run.records.filter((r) => !r.warmup && r.ok);
  // A success without token-bearing chunks has no E2E; its stream close stands in, as before.
  const e2eS = (r: RequestRecord): number => (e2eMs(r) ?? r.t_end - r.t_send) / 1000;
  const chars = median(ok.filter((r) => e2eS(r) > 0).map((r) => r.output_chars / e2eS(r)));
  const withWords = ok.filter((r) => r.output_words !== undefined && e2eS(r) > 0);
  const words = median(withWords.map((r) => r.output_words! / e2eS(r)));
  const wordTotal = withWords.reduce((a, r) => a + r.output_words!, 0);
  const tokenTotal = withWords.reduce((a, r) => a + (r.output_tokens ?? 0), 0);
  const measured = median(ok.map(timeTo100).filter((x): x is number => x !== null));
  const ttft = s.ttft_ms.p50;
  const tpot = s.tpot_ms.p50;
  const computed = ttft !== null && tpot !== null ? ttft + 99 * tpot : null;
  return {
    endpoint: target.name,
    shape,
    run_id: run.id,
    url: target.url,
    model: run.model,
    gpus: target.gpus,
    requests: s.requests.total,
    error_rate: s.errors.error_rate,
    ttft_p50_ms: ttft,
    tokens_per_s_per_user: tpot !== null && tpot > 0 ? 1000 / tpot : null,
    chars_per_s_per_user: chars,
    words_per_s_per_user: words,
    tokens_per_word: wordTotal > 0 ? tokenTotal / wordTotal : null,
    time_to_100_tokens_ms: measured ?? computed,
    time_to_100_tokens_method: measured !== null ? 'measured' : computed !== null ? 'computed' : null,
    e2e_p50_ms: s.e2e_ms.p50,
    output_tokens_per_s: s.throughput.output_tokens_per_s,
    cost_per_1m_output_tokens: s.cost?.per_1m_output_tokens ?? null,
    output_tokens_per_s_per_gpu: null,
    scaling_efficiency: null,
    quality: s.quality ? { exact_match: s.quality.exact_match.mean, f1: s.quality.f1.mean, rouge_l: s.quality.rouge_l.mean } : null,
  };
}

/**
 * Per-GPU throughput and scaling efficiency within one shape, when every row of it has a GPU count: efficiency is
 * (throughput / GPUs) over that of the configuration with the fewest GPUs (1.0 = linear scaling).
 */
export function addScaling(rows: EndpointRow[]): void {
  if (rows.length === 0 || rows.some((r) => r.gpus === null)) return;
  for (const r of rows) r.output_tokens_per_s_per_gpu = r.output_tokens_per_s === null ? null : r.output_tokens_per_s / r.gpus!;
  const smallest = [...rows].sort((a, b) => a.gpus! - b.gpus!)[0]!;
  const base = smallest.output_tokens_per_s_per_gpu;
  for (const r of rows) r.scaling_efficiency = base && r.output_tokens_per_s_per_gpu !== null ? r.output_tokens_per_s_per_gpu / base : null;
}
