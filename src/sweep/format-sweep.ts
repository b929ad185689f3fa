import { findingLines } from '../results/format-findings.js';
import { textTable } from '../store/text-table.js';
import { perUserSpeed, type RepeatSpread, type SweepDocument } from './sweep-document.js';

/**
 * The sweep as a console table: one row per step with throughput, per-user speed, latency percentiles, goodput,
 * errors and the server's queue and KV cache; frontier steps are starred, the knee marked. Returns the text.
 */
export function formatSweep(doc: SweepDocument): string {
  const front = new Set(doc.pareto.per_user_speed);
  const header = ['step', doc.axis.kind === 'rate' ? 'rate' : 'conc', 'req/s', 'out tok/s', 'tok/s/user', 'TTFT p50', 'TTFT p99', 'TPOT p50', 'TPOT p99', 'E2E p99', 'goodput/s', 'errors', 'waiting', 'KV %', ''];
  const rows = doc.steps.map((s, i) => {
    const sum = s.summary;
    const probe = doc.capacity?.probes.find((p) => p.step === i);
    const marks = [
      front.has(i) ? '* frontier' : '',
      doc.knee?.step === i ? '< knee' : '',
      probe ? `SLO ${probe.pass ? 'met' : 'missed'} (${probe.attainment === null ? 'n/a' : `${(100 * probe.attainment).toFixed(1)}%`})` : '',
      s.summary.saturation?.saturated ? 'SATURATED' : '',
      s.status !== 'completed' ? s.status : '',
    ]
      .filter(Boolean)
      .join(' ');
    return [
      doc.repeat > 1 ? `${i} (${s.repeat + 1}/${doc.repeat})` : String(i),
      'concurrency' in s.load ? (doc.axis.kind === 'rate' ? `c=${s.load.concurrency}` : String(s.load.concurrency)) : String(s.load.rate),
      num(sum.throughput.requests_per_s, 2),
      num(sum.throughput.output_tokens_per_s, 1),
      num(perUserSpeed(s), 1),
      num(sum.ttft_ms.p50, 1),
      num(sum.ttft_ms.p99, 1),
      num(sum.tpot_ms.p50, 2),
      num(sum.tpot_ms.p99, 2),
      num(sum.e2e_ms.p99, 0),
      sum.goodput.slo ? num(sum.goodput.requests_per_s, 2) : '-',
      sum.errors.total > 0 ? `${sum.errors.total} (${(100 * (sum.errors.error_rate ?? 0)).toFixed(1)}%)` : '0',
      s.server?.requests_waiting ? num(s.server.requests_waiting.mean, 1) : '-',
      s.server?.kv_cache_usage ? num(100 * s.server.kv_cache_usage.max, 0) : '-',
      marks,
    ];
  });
  const lines = [
    `inferscope sweep ${doc.id}  ${doc.status}  ${doc.target.model} @ ${doc.target.url}  (${doc.steps.length} steps)`,
    'latencies in ms; tok/s/user = 1000 / TPOT p50; KV % = peak; * = on the frontier of output tok/s vs tok/s/user',
    '',
    textTable(header, rows, { right: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] }),
  ];
  if (doc.loads && doc.loads.length > 0) lines.push('', ...repeatsTable(doc));
  if (doc.capacity) lines.push('', capacityLine(doc.capacity));
  if (doc.saturated_at !== undefined) {
    lines.push('', `stopped at ${doc.saturated_at} req/s: the server no longer kept up (requests queued without bound); higher rates were not run`);
  }
  if (doc.knee) {
    const load = 'concurrency' in doc.knee.load ? `concurrency ${doc.knee.load.concurrency}` : `${doc.knee.load.rate} req/s`;
    lines.push('', `knee: past ${load} (step ${doc.knee.step}), E2E p50 grows ${fmtElasticity(doc.knee.elasticity)} as fast as output tok/s`);
  } else if (doc.steps.length > 1) {
    lines.push('', 'no knee: latency grew no faster than throughput over these loads');
  }
  if (doc.diagnosis && doc.diagnosis.findings.length > 0) lines.push('', ...findingLines(doc.diagnosis.findings));
  return lines.join('\n');
}

/** Each load's repeats: median and range of its figures (the range is the run-to-run noise). */
function repeatsTable(doc: SweepDocument): string[] {
  const spread = (x: RepeatSpread | null, digits: number): string => (x === null ? '-' : `${x.median.toFixed(digits)} (${x.min.toFixed(digits)}-${x.max.toFixed(digits)})`);
  const rows = (doc.loads ?? []).map((l) => [
    'concurrency' in l.load ? String(l.load.concurrency) : String(l.load.rate),
    String(l.steps.length),
    spread(l.output_tokens_per_s, 0),
    spread(l.ttft_p50_ms, 1),
    spread(l.tpot_p50_ms, 2),
    spread(l.e2e_p99_ms, 0),
  ]);
  return [
    `per load over its repeats${doc.interleaved ? ' (run in rounds)' : ''}: median (lowest-highest)`,
    textTable([doc.axis.kind === 'rate' ? 'rate' : 'conc', 'runs', 'out tok/s', 'TTFT p50', 'TPOT p50', 'E2E p99'], rows, { right: [0, 1, 2, 3, 4, 5] }),
  ];
}

function capacityLine(c: NonNullable<SweepDocument['capacity']>): string {
  const unit = c.concurrency !== undefined ? '' : ' req/s';
  const value = c.concurrency !== undefined ? c.concurrency : c.requests_per_s;
  const [lo, hi] = c.bracket;
  const target = `${(100 * c.attainment_target).toFixed(c.attainment_target >= 0.999 ? 1 : 0)}% of requests meeting the SLO`;
  const probes = `${c.probes.length} probes, ${c.stopped_by.replace(/_/g, ' ')}`;
  if (value === null || value === undefined) return `capacity: none found: even ${hi ?? '?'}${unit} missed ${target} (${probes})`;
  const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(x < 10 ? 2 : 1));
  const bracket = hi === null ? `at least; no failing load found` : `between ${fmt(lo ?? value)} and ${fmt(hi)}`;
  const cost = c.cost_per_1m_output_tokens != null ? `; at that load 1M output tokens cost ${c.cost_per_1m_output_tokens.toFixed(4)}` : '';
  return `capacity: ${fmt(value)}${unit} (${bracket}) with ${target} (${probes})${cost}`;
}

function num(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

function fmtElasticity(e: number): string {
  return Number.isFinite(e) ? `${e.toFixed(1)}x` : 'infinitely (throughput flat)';
}
