/**
 * Fairness checks: differences between two runs' setups that make a comparison of their figures unfair
 * (another model, workload or load profile) or untrustworthy (a run whose load generator fell behind).
 */
import { promptCacheUse } from '../server-metrics/cache-use.js';
import { DEFAULTS } from '../config/defaults.js';
import type { FairnessWarning, RunInfo } from './types.js';

/** Config keys (as `bench` stores its options) that change what was measured, grouped for messages. */
const CONFIG_FIELDS: ReadonlyArray<{ key: string; group: 'workload' | 'load'; name: string }> = [
  { key: 'inputTokens', group: 'workload', name: 'input token spec' },
  { key: 'outputTokens', group: 'workload', name: 'output token spec' },
  { key: 'exactOutput', group: 'workload', name: 'exact output length' },
  { key: 'dataset', group: 'workload', name: 'dataset' },
  { key: 'datasetFormat', group: 'workload', name: 'dataset format' },
  { key: 'concurrency', group: 'load', name: 'concurrency' },
  { key: 'rate', group: 'load', name: 'request rate' },
  { key: 'arrival', group: 'load', name: 'arrival process' },
  { key: 'burstiness', group: 'load', name: 'burstiness' },
  { key: 'maxConcurrency', group: 'load', name: 'max concurrency' },
  { key: 'rampUpS', group: 'load', name: 'ramp-up' },
  { key: 'warmup', group: 'load', name: 'warm-up requests' },
];

/** Event-loop delay above these (ms) means the client itself added visible noise to the timings. */
const CLIENT_LAG_P99_MS = 10;
const CLIENT_LAG_MAX_MS = 200;

/** Observed mean tokens per request may differ this much (relative) before it is called out. */
const TOKEN_MEAN_TOLERANCE = 0.1;

/**
 * Shares of prompt tokens served from the server's prefix cache may differ this much (0-1) before it is called
 * out: a shared chat template gives every run a few hits; a second run of the same prompts hits on all of them.
 */
const CACHE_SHARE_TOLERANCE = 0.1;

/**
 * Plain warnings, each naming what differs and both values.
 *
 * @example fairnessWarnings(base.results, candidate.results).map((w) => w.message)
 */
export function fairnessWarnings(base: RunInfo, candidate: RunInfo): FairnessWarning[] {
  const out: FairnessWarning[] = [];
  const differ = (field: string, what: string, b: unknown, c: unknown): void => {
    if (same(b, c)) return;
    out.push({ field, base: b ?? null, candidate: c ?? null, message: `${what} differs: base ${show(b)}, candidate ${show(c)}` });
  };

  differ('model', 'model', base.target.model, candidate.target.model);
  differ('api', 'API', base.target.api, candidate.target.api);
  // The embedded engine listens on a fresh port every run, so its URL says nothing.
  if (!(base.target.embedded && candidate.target.embedded)) {
    differ('target_url', 'target URL', trimSlash(base.target.url), trimSlash(candidate.target.url));
  }
  differ('tool_version', 'inferscope version', base.tool_version, candidate.tool_version);

  const bc = withDefaults(asRecord(base.config));
  const cc = withDefaults(asRecord(candidate.config));
  if (bc && cc) {
    const openLoop = bc['rate'] !== undefined || cc['rate'] !== undefined;
    for (const f of CONFIG_FIELDS) {
      // arrival and burstiness only shape open loops; both default even for closed ones.
      if ((f.key === 'arrival' || f.key === 'burstiness') && !openLoop) continue;
      if (f.key === 'burstiness' && bc['arrival'] !== 'gamma' && cc['arrival'] !== 'gamma') continue;
      differ(`${f.group}.${f.key}`, `${f.group === 'load' ? 'load profile' : 'workload'}: ${f.name}`, bc[f.key], cc[f.key]);
    }
  } else {
    const missing = [bc ? null : 'base', cc ? null : 'candidate'].filter(Boolean).join(' and ');
    out.push({
      field: 'config',
      base: bc ? 'recorded' : null,
      candidate: cc ? 'recorded' : null,
      message: `the ${missing} run has no recorded configuration: workload and load profile cannot be checked`,
    });
  }

  differ('slo', 'SLO (goodput)', base.summary.goodput?.slo ?? null, candidate.summary.goodput?.slo ?? null);

  const bTokens = meanOutputTokens(base);
  const cTokens = meanOutputTokens(candidate);
  if (bTokens !== null && cTokens !== null && bTokens > 0 && Math.abs(cTokens / bTokens - 1) > TOKEN_MEAN_TOLERANCE) {
    out.push({
      field: 'observed.output_tokens_mean',
      base: bTokens,
      candidate: cTokens,
      message: `output tokens per request differ: base ${bTokens.toFixed(1)}, candidate ${cTokens.toFixed(1)} (E2E and throughput are not comparable)`,
    });
  }

  const bCache = promptCacheUse(base.server);
  const cCache = promptCacheUse(candidate.server);
  if (bCache.share !== null && cCache.share !== null && Math.abs(bCache.share - cCache.share) > CACHE_SHARE_TOLERANCE) {
    const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
    const more = cCache.share > bCache.share ? 'candidate' : 'base';
    out.push({
      field: 'server.prompt_cache',
      base: bCache,
      candidate: cCache,
      message:
        `prefix-cache hits differ: the server served ${pct(bCache.share)} of the base run's prompt tokens from its cache and ` +
        `${pct(cCache.share)} of the candidate's: the ${more} run's TTFT and prefill reflect cache hits, not the change you made ` +
        '(send prompts no earlier run sent to compare prefill)',
    });
  }

  for (const [side, run] of [['base', base], ['candidate', candidate]] as const) {
    const fidelity = run.summary.fidelity;
    if (run.status === 'invalid' || (fidelity && fidelity.valid === false)) {
      const reasons = fidelity?.invalid_reasons?.length ? fidelity.invalid_reasons.join('; ') : 'status invalid';
      out.push({
        field: 'fidelity',
        base: side === 'base' ? reasons : null,
        candidate: side === 'candidate' ? reasons : null,
        message: `the ${side} run is invalid (its load generator fell behind): ${reasons}`,
      });
    }
    const lag = fidelity?.event_loop_lag_ms;
    if (lag && (lag.p99 > CLIENT_LAG_P99_MS || lag.max > CLIENT_LAG_MAX_MS)) {
      out.push({
        field: 'client_noise',
        base: side === 'base' ? lag : null,
        candidate: side === 'candidate' ? lag : null,
        message:
          `the ${side} run's client was delayed (event-loop delay p99 ${lag.p99.toFixed(1)} ms, max ${lag.max.toFixed(0)} ms): ` +
          'its latencies and throughput include client noise; smaller latency changes are not called',
      });
    }
    if (run.status === 'interrupted' || run.status === 'running') {
      out.push({
        field: 'status',
        base: base.status,
        candidate: candidate.status,
        message: `the ${side} run did not complete (status ${run.status})`,
      });
    }
  }
  return out;
}

/**
 * The configuration with the defaults a run used filled in, so a run that left an option at its default and one
 * that set the same value explicitly do not differ ("concurrency differs: base (not set), candidate 4").
 */
function withDefaults(config: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!config) return null;
  const out: Record<string, unknown> = { ...config };
  const fill = (key: string, value: unknown): void => {
    if (out[key] === undefined || out[key] === null) out[key] = value;
  };
  if (out['rate'] === undefined || out['rate'] === null) fill('concurrency', DEFAULTS.concurrency);
  fill('warmup', DEFAULTS.warmup);
  fill('arrival', DEFAULTS.arrival);
  fill('inputTokens', DEFAULTS.inputTokens);
  fill('outputTokens', DEFAULTS.outputTokens);
  return out;
}

function meanOutputTokens(run: RunInfo): number | null {
  const total = run.summary.tokens?.output?.total;
  const n = run.summary.requests?.succeeded;
  return typeof total === 'number' && typeof n === 'number' && n > 0 ? total / n : null;
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0 ? (v as Record<string, unknown>) : null;
}

function same(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function show(v: unknown): string {
  return v === undefined || v === null ? '(not set)' : stableJson(v);
}

/** JSON with object keys sorted, so {a, b} and {b, a} compare equal. */
function stableJson(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function trimSlash(u: string | undefined): string | undefined {
  return u?.replace(/\/+$/, '');
}
