/**
 * Diagnosis of one run from its summary, the server's view and (when kept) its records: which factor limits it, with
 * the evidence. Every rule needs its own evidence; with none found the run is called healthy. Thresholds are here,
 * named, so the documentation and the code say the same.
 */
import type { RequestRecord } from '../measure/record.js';
import type { ServerSummary } from '../server-metrics/server-summary.js';
import type { RunSummary } from '../stats/summary.js';
import { maxStallMs, ttftMs } from '../stats/request-metrics.js';
import type { Diagnosis, Finding } from '../results/findings.js';

/** Front-end overhead worth a finding: client TTFT above the server's by this many ms and this share. */
const OVERHEAD_MIN_MS = 5;
const OVERHEAD_MIN_SHARE = 0.2;
/** Requests waiting on average (server gauge) that make queueing a finding. */
const WAITING_MEAN = 1;
/** Server queue time as a share of its TTFT. */
const QUEUE_SHARE = 0.3;
/** Prefill fit: least R^2, least share of TTFT explained by prompt length, and requests needed. */
const PREFILL_R2 = 0.5;
const PREFILL_SHARE = 0.5;
const FIT_MIN_REQUESTS = 12;
/** KV cache usage (0-1) that counts as full. */
const KV_FULL = 0.95;
/** A stall: a gap above this many ms and this many times the median ITL; a finding when this share of requests has one. */
const STALL_MIN_MS = 250;
const STALL_ITL_FACTOR = 10;
const STALL_SHARE = 0.05;

const r1 = (x: number): number => Math.round(x * 10) / 10;
const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;

export function diagnoseRun(input: { summary: RunSummary; server?: ServerSummary | null; records?: readonly RequestRecord[] | null }): Diagnosis {
  const { summary: s, server } = input;
  const ok = (input.records ?? []).filter((r) => !r.warmup && r.ok);
  const findings: Finding[] = [];
  const add = (f: Finding | null): void => {
    if (f) findings.push(f);
  };
  add(clientLimited(s));
  add(rateLimited(s));
  add(errors(s));
  add(queueing(s, server ?? null));
  add(kvCache(server ?? null));
  add(networkOverhead(s, server ?? null));
  add(prefill(s, server ?? null, ok));
  add(stalls(s, ok));
  if (!findings.some((f) => f.confidence !== 'low')) {
    findings.unshift({
      kind: 'healthy',
      title: `No limiting factor found: TTFT p50 ${fmt(s.ttft_ms.p50)} ms, TPOT p50 ${fmt(s.tpot_ms.p50)} ms, ${s.errors.total} errors, the client's timing ${s.fidelity?.status ?? 'unjudged'}.`,
      evidence: { ttft_p50_ms: s.ttft_ms.p50, tpot_p50_ms: s.tpot_ms.p50, error_rate: s.errors.error_rate },
      confidence: 'medium',
      advice: ['Raise the load (sweep --concurrency 1,2,4,... or --find-capacity) to find where it stops being healthy.'],
    });
  }
  return { findings };
}

/** Sub-10 ms latencies (TPOT, ITL) keep two decimals: 0.98 ms is not "1 ms". */
const fmt = (x: number | null): string => (x === null ? '-' : Math.abs(x) < 10 ? String(Math.round(x * 100) / 100) : String(r1(x)));

function clientLimited(s: RunSummary): Finding | null {
  const f = s.fidelity;
  if (!f || (f.status ?? (f.valid ? 'valid' : 'invalid')) === 'valid') return null;
  const invalid = f.status === 'invalid' || !f.valid;
  const reasons = [...f.invalid_reasons, ...(f.degraded_reasons ?? [])];
  return {
    kind: 'client_limited',
    title: invalid
      ? `The load generator fell behind: the figures measure the client, not the server (${reasons[0] ?? 'see fidelity'}).`
      : `The client's timestamps may be late by up to ${fmt(f.timing_uncertainty_ms ?? null)} ms, coarse against ITL ${fmt(s.itl_ms.mean)} ms / TTFT p50 ${fmt(s.ttft_ms.p50)} ms: those percentiles carry that error.`,
    evidence: { status: f.status ?? null, timing_uncertainty_ms: f.timing_uncertainty_ms ?? null, event_loop_p99_ms: f.event_loop_lag_ms.p99, schedule_lag_p99_ms: f.schedule_lag_ms.p99, client_cpu: f.client_cpu },
    confidence: invalid ? 'high' : 'low',
    advice: [
      ...(f.client_cpu >= BUSY_CLIENT_CPU
        ? [`The client used ${r1(f.client_cpu * 100)}% of a core, so its one event loop was full: split the load over client processes with \`--workers auto\` (or N; against --url), each with its own core.`]
        : []),
      'Run the client on a quieter machine or core, or with fewer streams per process; long ITLs and TTFTs are measured more precisely than short ones.',
    ],
  };
}

/** Client CPU (fraction of a core) from which one event loop counts as full. */
const BUSY_CLIENT_CPU = 0.8;

function rateLimited(s: RunSummary): Finding | null {
  const n = s.errors.by_class.http_429 ?? 0;
  if (n === 0) return null;
  return {
    kind: 'rate_limited',
    title: `${n} of ${s.requests.total} requests (${pct(n / Math.max(1, s.requests.total))}) were refused with 429: the provider's rate limit, not the model, set the pace.`,
    evidence: { http_429: n, requests: s.requests.total, example: s.errors.examples.http_429 ?? null },
    confidence: 'high',
    advice: ['Lower the rate or concurrency below the limit, or raise the limit with the provider; compare runs without 429s.'],
  };
}

function errors(s: RunSummary): Finding | null {
  const other = Object.entries(s.errors.by_class).filter(([k]) => k !== 'http_429');
  const n = other.reduce((a, [, v]) => a + (v ?? 0), 0);
  if (n === 0) return null;
  const timeouts = other.filter(([k]) => k.startsWith('timeout_')).reduce((a, [, v]) => a + (v ?? 0), 0);
  const classes = other.map(([k, v]) => `${k} ${v}`).join(', ');
  return {
    kind: 'errors',
    title: `${n} requests failed (${classes})${timeouts > 0 ? `, ${timeouts} of them timeouts` : ''}: latency figures cover only the ones that succeeded.`,
    evidence: { failed: n, timeouts, error_rate: s.errors.error_rate, ...Object.fromEntries(other.map(([k]) => [`example_${k}`, s.errors.examples[k as keyof typeof s.errors.examples] ?? null])) },
    confidence: 'high',
    advice: timeouts > 0 ? ['Timeouts under load usually mean queueing: lower the load or add capacity; raise --timeout-* only if long waits are acceptable.'] : ['Read the error examples; a server error under load often means memory pressure (KV cache, batch size).'],
  };
}

function queueing(s: RunSummary, server: ServerSummary | null): Finding | null {
  const waiting = server?.requests_waiting ?? null;
  const queueShare = server?.queue_ms?.mean != null && server.ttft_ms?.mean ? server.queue_ms.mean / server.ttft_ms.mean : null;
  const saturated = s.saturation?.saturated === true;
  const waits = waiting !== null && waiting.samples >= 3 && waiting.mean >= WAITING_MEAN;
  const queued = queueShare !== null && queueShare >= QUEUE_SHARE;
  if (!saturated && !waits && !queued) return null;
  const parts: string[] = [];
  if (waits) parts.push(`${r1(waiting!.mean)} requests waited on average (max ${r1(waiting!.max)})`);
  if (queued) parts.push(`queue time was ${pct(queueShare!)} of the server's TTFT`);
  if (saturated) parts.push(`the server served ${fmt(s.saturation!.served_rate_per_s)} of ${fmt(s.saturation!.offered_rate_per_s)} req/s offered and TTFT kept growing`);
  return {
    kind: 'queueing',
    title: `Requests queue before they run: ${parts.join('; ')}.`,
    evidence: { waiting_mean: waiting?.mean ?? null, waiting_max: waiting?.max ?? null, queue_share_of_ttft: queueShare, offered_rate_per_s: s.saturation?.offered_rate_per_s ?? null, served_rate_per_s: s.saturation?.served_rate_per_s ?? null },
    confidence: waits || saturated ? 'high' : 'medium',
    advice: [
      'Let more requests run at once if the KV cache has room (vLLM --max-num-seqs, SGLang --max-running-requests, llama.cpp --parallel), or add replicas.',
      'Or offer less: `inferscope sweep --find-capacity --slo ...` finds the highest load within the SLOs.',
    ],
  };
}

function kvCache(server: ServerSummary | null): Finding | null {
  const kv = server?.kv_cache_usage ?? null;
  const pre = server?.preemptions ?? null;
  const full = kv !== null && kv.max >= KV_FULL;
  if (!full && !(pre !== null && pre > 0)) return null;
  return {
    kind: 'kv_cache_saturation',
    title: `The KV cache ran full${kv ? ` (usage up to ${pct(kv.max)}, mean ${pct(kv.mean)})` : ''}${pre ? `; ${pre} requests were preempted and recomputed` : ''}.`,
    evidence: { kv_usage_max: kv?.max ?? null, kv_usage_mean: kv?.mean ?? null, preemptions: pre },
    confidence: pre ? 'high' : 'medium',
    advice: ['Give the KV cache more memory (vLLM --gpu-memory-utilization, a quantized KV cache such as fp8), shorten --max-model-len, or run fewer sequences at once.'],
  };
}

function networkOverhead(s: RunSummary, server: ServerSummary | null): Finding | null {
  const st = server?.ttft_ms ?? null;
  const client = s.ttft_ms.mean;
  if (!st || st.mean === null || st.count < 5 || client === null) return null;
  const overhead = client - st.mean;
  if (overhead < OVERHEAD_MIN_MS || overhead < OVERHEAD_MIN_SHARE * client) return null;
  return {
    kind: 'network_overhead',
    title: `The client sees TTFT ${r1(overhead)} ms (${pct(overhead / client)}) above the server's own: time spent outside the engine (network, proxies, the API front-end, tokenization).`,
    evidence: { client_ttft_mean_ms: client, server_ttft_mean_ms: st.mean, overhead_ms: overhead, client_write_p50_ms: s.client_write_ms?.p50 ?? null },
    confidence: 'medium',
    advice: ['Measure from closer to the server, check gateways and TLS termination, and keep connections alive; the engine itself is faster than the client sees.'],
  };
}

/** Least-squares fit of y on x: slope, intercept and R^2 (null without spread in x). */
export function fitLine(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number; r2: number } | null {
  const n = xs.length;
  if (n < 3) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    syy += (ys[i]! - my) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 0 : (sxy * sxy) / (sxx * syy) };
}

function prefill(s: RunSummary, server: ServerSummary | null, ok: readonly RequestRecord[]): Finding | null {
  const pts = ok.flatMap((r) => {
    const ttft = ttftMs(r);
    return ttft !== null && r.input_tokens !== null ? [{ x: r.input_tokens, y: ttft }] : [];
  });
  const fit = pts.length >= FIT_MIN_REQUESTS ? fitLine(pts.map((p) => p.x), pts.map((p) => p.y)) : null;
  const meanX = pts.reduce((a, p) => a + p.x, 0) / Math.max(1, pts.length);
  const meanY = pts.reduce((a, p) => a + p.y, 0) / Math.max(1, pts.length);
  const share = fit && meanY > 0 ? (fit.slope * meanX) / meanY : null;
  const serverShare = server?.prefill_ms?.mean != null && server.ttft_ms?.mean ? server.prefill_ms.mean / server.ttft_ms.mean : null;
  const byFit = fit !== null && fit.slope > 0 && fit.r2 >= PREFILL_R2 && share !== null && share >= PREFILL_SHARE;
  const byServer = serverShare !== null && serverShare >= PREFILL_SHARE;
  if (!byFit && !byServer) return null;
  const cached = server?.prefix_cache_hit_rate ?? null;
  const title = byFit
    ? `TTFT grows with prompt length, ${r1(fit!.slope * 1000)} ms per 1,000 prompt tokens (R² ${fit!.r2.toFixed(2)}): prefill is about ${pct(Math.min(1, share!))} of TTFT.`
    : `Prefill is ${pct(serverShare!)} of the server's TTFT (its own prefill and TTFT histograms).`;
  return {
    kind: 'prefill_compute',
    title,
    evidence: { ms_per_1k_prompt_tokens: fit ? fit.slope * 1000 : null, r2: fit?.r2 ?? null, prefill_share_of_ttft: byFit ? share : serverShare, mean_prompt_tokens: pts.length > 0 ? meanX : null, prefix_cache_hit_rate: cached },
    confidence: byFit && byServer ? 'high' : 'medium',
    advice: [
      'Enable chunked prefill (vLLM --enable-chunked-prefill) so long prefills stop stalling decodes.',
      cached !== null && cached < 0.5
        ? `Prefix caching helps where prompts share a prefix: the server served ${pct(cached)} from its cache.`
        : 'Shorter prompts, or more compute per request (tensor parallelism), shorten prefill.',
    ],
  };
}

function stalls(s: RunSummary, ok: readonly RequestRecord[]): Finding | null {
  const itl = s.itl_ms.p50;
  if (itl === null || ok.length === 0) return null;
  const limit = Math.max(STALL_MIN_MS, STALL_ITL_FACTOR * itl);
  let stalled = 0;
  let worst = 0;
  for (const r of ok) {
    const max = maxStallMs(r) ?? 0;
    worst = Math.max(worst, max);
    if (max > limit) stalled++;
  }
  const share = stalled / ok.length;
  if (share < STALL_SHARE) return null;
  return {
    kind: 'stalls',
    title: `${pct(share)} of requests paused mid-answer for more than ${r1(limit)} ms (the longest ${r1(worst)} ms, against a median ITL of ${r1(itl)} ms).`,
    evidence: { stall_threshold_ms: limit, stalled_share: share, longest_gap_ms: worst, itl_p50_ms: itl },
    confidence: 'medium',
    advice: ['Stalls come from prefills of new requests interrupting decodes (chunked prefill helps), preemption when the KV cache is full, or pauses in the network path.'],
  };
}
