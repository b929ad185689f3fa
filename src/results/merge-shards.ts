/**
 * Merges the shards of one distributed run (bench --shard K/N --start-at T) exactly: their raw records put on one
 * clock (each record's wall-clock anchor), every schedule index checked present once, every metric recomputed from
 * the records as for a one-process run, and fidelity the worst shard's.
 */
import { InputError } from '../errors.js';
import type { RequestRecord } from '../measure/record.js';
import { summarize } from '../stats/summary.js';
import { summarizeAggregate } from '../stats/aggregate-summary.js';
import { RunAggregate } from '../stats/run-aggregate.js';
import { parseSlo } from '../config/slo.js';
import { DEFAULTS } from '../config/defaults.js';
import { runOutcome } from '../stats/outcome.js';
import { buildResults, type ResultsDocument } from './results-document.js';
import type { StoredRun } from './stored-run.js';

export class MergeError extends InputError {
  override readonly name = 'MergeError';
}

interface ShardConfig {
  shard?: string;
  seed?: number;
  requests?: number;
  warmup?: number;
  durationS?: number;
  slo?: string;
  prices?: Record<string, number>;
  turns?: number;
  sloTpotNaIsGood?: boolean;
  [key: string]: unknown;
}

/** Config keys that may differ between shards of one run. */
const PER_SHARD = new Set(['shard', 'outDir', 'db', 'labels']);

const STATUS_RANK: Record<string, number> = { valid: 0, degraded: 1, invalid: 2 };

export function mergeShards(runs: readonly StoredRun[], id: string): { results: ResultsDocument; records: RequestRecord[] } {
  if (runs.length < 2) throw new MergeError('merge needs the results of at least two shards');
  const configs = runs.map((r) => (r.results.run.config ?? {}) as ShardConfig);
  const shards = configs.map((c, i) => {
    const m = /^(\d+)\/(\d+)$/.exec(String(c.shard ?? ''));
    if (!m) throw new MergeError(`${runs[i]!.source}: not a shard (its run has no --shard K/N)`);
    return { index: Number(m[1]), count: Number(m[2]) };
  });
  const n = shards[0]!.count;
  if (shards.some((s) => s.count !== n)) throw new MergeError(`the shards come from different splits: ${shards.map((s) => `${s.index}/${s.count}`).join(', ')}`);
  const seen = new Map<number, string>();
  shards.forEach((s, i) => {
    if (seen.has(s.index)) throw new MergeError(`shard ${s.index}/${n} is given twice (${seen.get(s.index)} and ${runs[i]!.source})`);
    seen.set(s.index, runs[i]!.source);
  });
  const missingShards = Array.from({ length: n }, (_, k) => k).filter((k) => !seen.has(k));
  if (missingShards.length > 0) throw new MergeError(`missing shard${missingShards.length > 1 ? 's' : ''} ${missingShards.map((k) => `${k}/${n}`).join(', ')}`);
  const strip = (c: ShardConfig): string => JSON.stringify(Object.fromEntries(Object.entries(c).filter(([k]) => !PER_SHARD.has(k)).sort(([a], [b]) => a.localeCompare(b))));
  configs.forEach((c, i) => {
    if (strip(c) !== strip(configs[0]!)) {
      const diff = Object.keys({ ...c, ...configs[0] }).find((k) => !PER_SHARD.has(k) && JSON.stringify(c[k]) !== JSON.stringify(configs[0]![k]));
      throw new MergeError(`${runs[i]!.source} differs from ${runs[0]!.source} in ${diff ?? 'its configuration'}: the shards are not of one run`);
    }
  });
  // One clock: the earliest shard's; every other shard's times move by the difference of the wall-clock anchors.
  const epochs = runs.map((r, i) => {
    const e = r.results.run.clock_epoch_ms;
    if (typeof e !== 'number') throw new MergeError(`${runs[i]!.source}: no wall-clock anchor (clock_epoch_ms); re-run with this version`);
    return e;
  });
  const base = Math.min(...epochs);
  const records: RequestRecord[] = [];
  const aggregated = runs.some((r) => r.results.aggregate !== undefined);
  runs.forEach((r, i) => {
    if (!r.records && !(aggregated && r.results.aggregate)) throw new MergeError(`${r.source}: no per-request records (requests.jsonl or the store) to merge`);
    const shift = epochs[i]! - base;
    for (const rec of r.records ?? []) records.push(shifted(rec, shift, base));
  });
  const c0 = configs[0]!;
  const worst = runs.map((r) => r.results.summary.fidelity).reduce((a, f) => (f && (!a || (STATUS_RANK[f.status ?? (f.valid ? 'valid' : 'invalid')] ?? 0) > (STATUS_RANK[a.status ?? (a.valid ? 'valid' : 'invalid')] ?? 0)) ? f : a), null as ResultsDocument['summary']['fidelity']);
  const slo = c0.slo ? parseSlo(c0.slo) : undefined;
  let aggregate: RunAggregate | null = null;
  let summary: ResultsDocument['summary'];
  if (aggregated) {
    // Shards that kept no (or sampled) records: their histograms and counts add; what they kept is concatenated.
    const options = { slo: slo ?? null, tpotNaIsGood: c0.sloTpotNaIsGood === true };
    aggregate = new RunAggregate(options);
    runs.forEach((r, i) => aggregate!.merge(r.results.aggregate ? RunAggregate.fromJSON(r.results.aggregate) : RunAggregate.fromRecords(r.records ?? [], options), epochs[i]! - base));
    checkCounts(aggregate, c0, runs);
    summary = summarizeAggregate(aggregate, { ...(c0.prices ? { prices: c0.prices } : {}), ...(worst ? { fidelity: worst } : {}) });
  } else {
    checkIndices(records, c0, runs);
    summary = summarize(records, {
      ...(slo ? { slo } : {}),
      ...(c0.prices ? { prices: c0.prices } : {}),
      ...(worst ? { fidelity: worst } : {}),
      ...(typeof c0.turns === 'number' ? { turns: c0.turns } : {}),
    });
  }
  const maxErrorRate = typeof c0.maxErrorRate === 'number' ? c0.maxErrorRate : DEFAULTS.maxErrorRate;
  summary.outcome = runOutcome({ total: summary.requests.total, failed: summary.requests.failed, errorRate: summary.errors.error_rate }, maxErrorRate, false);
  const statuses = runs.map((r) => r.results.run.status);
  const status = statuses.includes('interrupted') ? 'interrupted' : (summary.fidelity?.valid ?? true) ? 'completed' : 'invalid';
  const { shard: _s, outDir: _o, db: _d, ...config } = c0;
  const results = buildResults({
    id,
    startedAt: runs.map((r) => r.results.run.started_at).sort()[0]!,
    endedAt: runs.map((r) => r.results.run.ended_at).sort().at(-1)!,
    clockEpochMs: base,
    config: { ...config, merged_shards: runs.map((r, i) => ({ shard: `${shards[i]!.index}/${n}`, run: r.id, fidelity: r.results.summary.fidelity?.status ?? null })) },
    target: runs[0]!.results.run.target,
    summary,
    status,
    ...(aggregate ? { aggregate: aggregate.toJSON() } : {}),
  });
  return { results, records };
}

function shifted(r: RequestRecord, ms: number, epoch: number): RequestRecord {
  const out: RequestRecord = { ...r, clock_epoch_ms: epoch, chunks: r.chunks.map((c) => ({ ...c, t: c.t + ms })) };
  out.t_sched = r.t_sched + ms;
  out.t_send = r.t_send + ms;
  if (r.t_written !== undefined) out.t_written = r.t_written + ms;
  if (r.t_headers !== null) out.t_headers = r.t_headers + ms;
  out.t_end = r.t_end + ms;
  return out;
}

/**
 * Shards without every record cannot name missing or repeated indices; for a count-bounded run that finished, the
 * measured requests must still add up to the schedule's.
 */
function checkCounts(aggregate: RunAggregate, c: ShardConfig, runs: readonly StoredRun[]): void {
  const finished = runs.every((r) => r.results.run.status === 'completed' || r.results.run.status === 'invalid');
  if (!finished || typeof c.requests !== 'number' || c.durationS !== undefined || typeof c.turns === 'number') return;
  const measured = aggregate.counts.counted + aggregate.counts.cut_off.requests;
  if (measured !== c.requests) {
    throw new MergeError(`the shards hold ${measured} measured requests, the schedule ${c.requests}: ${measured < c.requests ? `${c.requests - measured} missing` : `${measured - c.requests} more than once`} (shards that kept no records cannot say which)`);
  }
}

/** Each schedule index once; and, for a count-bounded run that finished, every index there. */
function checkIndices(records: readonly RequestRecord[], c: ShardConfig, runs: readonly StoredRun[]): void {
  const counts = new Map<string, number>();
  for (const r of records) {
    const key = `${r.warmup ? 'w' : 'm'}${r.index}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const dup = [...counts].filter(([, v]) => v > 1).map(([k]) => Number(k.slice(1)));
  if (dup.length > 0) throw new MergeError(`request ${dup.length > 1 ? 'indices' : 'index'} ${dup.slice(0, 10).join(', ')} appear in more than one shard`);
  const finished = runs.every((r) => r.results.run.status === 'completed' || r.results.run.status === 'invalid');
  const conversational = records.some((r) => r.session !== undefined);
  if (!finished || conversational || typeof c.requests !== 'number' || c.durationS !== undefined) return;
  const warmup = typeof c.warmup === 'number' ? c.warmup : 0;
  const missing: number[] = [];
  for (let i = warmup; i < warmup + c.requests; i++) if (!counts.has(`m${i}`)) missing.push(i);
  if (missing.length > 0) throw new MergeError(`missing request ${missing.length > 1 ? 'indices' : 'index'} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''} of the schedule`);
}
