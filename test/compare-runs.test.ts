import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../src/compare/compare-runs.js';
import { fairnessWarnings } from '../src/compare/fairness.js';
import { formatCompare } from '../src/compare/format.js';
import { simulatedRun, type SimulatedRunSpec } from './support/simulate-run.js';
import { parseConfidence, parseMetricList, parsePercent, parseThresholdPct, thresholdFor } from '../src/compare/thresholds.js';
import type { CompareReport, LoadedRun } from '../src/compare/types.js';
import { ConfigError } from '../src/config/errors.js';
import { summarize } from '../src/stats/summary.js';

const SPEC: SimulatedRunSpec = { seed: 1, requests: 1500, concurrency: 8, ttftMs: 80, itlMs: 20, outputTokens: 24 };
const FAST = { resamples: 400 };

function verdicts(report: CompareReport): Record<string, string> {
  return Object.fromEntries(report.metrics.map((m) => [m.metric, m.verdict]));
}

function called(report: CompareReport): string[] {
  return report.metrics.filter((m) => m.verdict === 'regressed' || m.verdict === 'improved').map((m) => `${m.metric}:${m.verdict}`);
}

test('same distribution, many seeds: nothing is called (noise is not a regression)', (t) => {
  const falseCalls: string[] = [];
  let ciExcludesZero = 0;
  let intervals = 0;
  for (let s = 0; s < 12; s++) {
    const report = compareRuns(simulatedRun({ ...SPEC, seed: 100 + s }), simulatedRun({ ...SPEC, seed: 500 + s }), { ...FAST, seed: s });
    falseCalls.push(...called(report));
    for (const m of report.metrics) {
      if (!m.ci || m.unit === '%') continue;
      intervals++;
      if (m.ci.low > 0 || m.ci.high < 0) ciExcludesZero++;
    }
  }
  t.diagnostic(`12 same-distribution pairs: ${falseCalls.length} calls; intervals excluding 0: ${ciExcludesZero} of ${intervals}`);
  assert.deepEqual(falseCalls, []);
  // Blocks make intervals a little conservative on independent requests; the raw rate stays near or under 5%.
  assert.ok(ciExcludesZero / intervals <= 0.1, `intervals excluding 0: ${ciExcludesZero} of ${intervals}`);
});

test('a 30% slower candidate is a regression in latency and throughput', () => {
  const base = simulatedRun(SPEC);
  const slow = simulatedRun({ ...SPEC, seed: 2, ttftMs: SPEC.ttftMs * 1.3, itlMs: SPEC.itlMs * 1.3 });
  const report = compareRuns(base, slow, FAST);
  const v = verdicts(report);
  for (const key of ['ttft_mean', 'ttft_p50', 'ttft_p90', 'ttft_p99', 'tpot_mean', 'tpot_p50', 'itl_p50', 'itl_p90', 'e2e_mean', 'e2e_p50', 'e2e_p99']) {
    assert.equal(v[key], 'regressed', key);
  }
  assert.equal(v['requests_per_s'], 'regressed');
  assert.equal(v['output_tokens_per_s'], 'regressed');
  assert.equal(v['error_rate'], 'no_significant_change');
  assert.equal(v['goodput_attainment'], 'n/a');
  const ttft = report.metrics.find((m) => m.metric === 'ttft_p50')!;
  assert.ok(ttft.ci && ttft.ci.low < 30 && ttft.ci.high > 30 - 10, JSON.stringify(ttft.ci));
  assert.ok(report.regressed.includes('e2e_p50'));
});

test('throughput direction: a faster candidate improves latency and throughput', () => {
  const report = compareRuns(simulatedRun(SPEC), simulatedRun({ ...SPEC, seed: 3, ttftMs: 56, itlMs: 14 }), FAST);
  const v = verdicts(report);
  assert.equal(v['e2e_mean'], 'improved');
  assert.equal(v['requests_per_s'], 'improved');
  assert.equal(v['output_tokens_per_s'], 'improved');
  assert.ok(report.metrics.find((m) => m.metric === 'requests_per_s')!.change_pct! > 20);
});

test('a tiny but significant 1% change stays below the 5% threshold', () => {
  const spec = { ...SPEC, requests: 4000, ttftSigma: 0.05, itlSigma: 0.05 };
  const report = compareRuns(simulatedRun(spec), simulatedRun({ ...spec, seed: 9, ttftMs: spec.ttftMs * 1.01, itlMs: spec.itlMs * 1.01 }), FAST);
  const e2e = report.metrics.find((m) => m.metric === 'e2e_p50')!;
  assert.ok(e2e.ci && e2e.ci.low > 0, `the 1% change is statistically significant: ${JSON.stringify(e2e.ci)}`);
  assert.equal(e2e.verdict, 'no_significant_change');
  assert.match(e2e.note ?? '', /within the 5% threshold/);
  assert.deepEqual(called(report), []);
  // With --min-change 0.5% the same change is called.
  const strict = compareRuns(simulatedRun(spec), simulatedRun({ ...spec, seed: 9, ttftMs: spec.ttftMs * 1.01, itlMs: spec.itlMs * 1.01 }), { ...FAST, minChangePct: 0.5 });
  assert.equal(strict.metrics.find((m) => m.metric === 'e2e_p50')!.verdict, 'regressed');
});

test('per-metric thresholds: ttft=50 lets a 30% TTFT change pass while E2E is still called', () => {
  const report = compareRuns(simulatedRun(SPEC), simulatedRun({ ...SPEC, seed: 2, ttftMs: 104, itlMs: 26 }), { ...FAST, thresholdPct: { ttft: 50, e2e_p99: 60 } });
  const v = verdicts(report);
  assert.equal(v['ttft_p50'], 'no_significant_change');
  assert.equal(v['e2e_p50'], 'regressed');
  assert.equal(v['e2e_p99'], 'no_significant_change');
  assert.equal(report.metrics.find((m) => m.metric === 'ttft_p90')!.threshold_pct, 50);
});

test('error rate: two-proportion interval, lower is better', () => {
  const base = simulatedRun({ ...SPEC, errorRate: 0.01 });
  const worse = simulatedRun({ ...SPEC, seed: 4, errorRate: 0.08 });
  const same = simulatedRun({ ...SPEC, seed: 5, errorRate: 0.01 });
  const up = compareRuns(base, worse, FAST).metrics.find((m) => m.metric === 'error_rate')!;
  assert.equal(up.verdict, 'regressed');
  assert.equal(up.ci?.method, 'newcombe');
  assert.equal(up.ci?.scale, 'absolute_pp');
  assert.ok(up.ci!.low > 0 && up.ci!.low < 7 && up.ci!.high > 7, JSON.stringify(up.ci));
  const down = compareRuns(worse, base, FAST).metrics.find((m) => m.metric === 'error_rate')!;
  assert.equal(down.verdict, 'improved');
  assert.equal(compareRuns(base, same, FAST).metrics.find((m) => m.metric === 'error_rate')!.verdict, 'no_significant_change');
});

test('goodput attainment under the base SLO, recomputed for both runs from their records', () => {
  const withSlo = (run: LoadedRun): LoadedRun => ({
    ...run,
    results: { ...run.results, summary: summarize(run.records!, { slo: { e2e_ms: 700 } }) },
  });
  const base = withSlo(simulatedRun(SPEC));
  const slow = simulatedRun({ ...SPEC, seed: 6, itlMs: 28 }); // no SLO of its own: the base's applies
  const g = compareRuns(base, slow, FAST).metrics.find((m) => m.metric === 'goodput_attainment')!;
  assert.ok(g.base! > 0.8 && g.candidate! < g.base!, `${g.base} -> ${g.candidate}`);
  assert.equal(g.verdict, 'regressed');
  assert.equal(g.better, 'higher');
});

test('fairness warnings name what differs with both values', () => {
  const base = simulatedRun(SPEC);
  const other = simulatedRun({ ...SPEC, seed: 7, outputTokens: 48 }, { model: 'other-model', config: { concurrency: 16, rate: 5 } });
  other.results.tool_version = '0.2.0';
  other.results.status = 'invalid';
  other.results.summary = {
    ...other.results.summary,
    fidelity: {
      schedule_lag_ms: { p50: 1, p99: 400, max: 900 },
      event_loop_lag_ms: { p50: 1, p99: 50, max: 300 },
      achieved_rate: 3,
      target_rate: 5,
      late_requests: 40,
      client_cpu: 1,
      valid: false,
      invalid_reasons: ['schedule lag p99 400 ms'],
    },
  };
  const warnings = fairnessWarnings(base.results, other.results);
  const byField = Object.fromEntries(warnings.map((w) => [w.field, w]));
  assert.deepEqual([byField['model']!.base, byField['model']!.candidate], ['sim-model', 'other-model']);
  assert.match(byField['model']!.message, /model differs: base "sim-model", candidate "other-model"/);
  assert.equal(byField['load.concurrency']!.candidate, 16);
  assert.equal(byField['load.rate']!.base, null);
  assert.match(byField['workload.outputTokens']!.message, /"24".*"48"/);
  assert.ok(byField['tool_version']);
  assert.match(byField['fidelity']!.message, /candidate run is invalid.*schedule lag/);
  assert.ok(byField['client_noise']);
  assert.ok(byField['observed.output_tokens_mean']);
  assert.equal(fairnessWarnings(base.results, simulatedRun({ ...SPEC, seed: 8 }).results).length, 0);
  // The report carries them, and the text shows them.
  const text = formatCompare(compareRuns(base, other, FAST), { color: false });
  assert.match(text, /fairness warnings/);
  assert.match(text, /model differs/);
});

test('without per-request records latency is n/a but the error rate is still tested', () => {
  const base = simulatedRun({ ...SPEC, errorRate: 0.01 });
  const cand = simulatedRun({ ...SPEC, seed: 2, errorRate: 0.1 });
  const report = compareRuns({ ...base, records: null }, { ...cand, records: null }, FAST);
  const v = verdicts(report);
  assert.equal(v['ttft_p50'], 'n/a');
  assert.equal(v['requests_per_s'], 'n/a');
  assert.equal(v['error_rate'], 'regressed');
  assert.ok(report.metrics.find((m) => m.metric === 'ttft_p50')!.base! > 0);
  assert.ok(report.notes.some((n) => /no per-request records/.test(n)));
});

test('small runs: p99 gets no interval below 1,000 requests, and says why', () => {
  const report = compareRuns(simulatedRun({ ...SPEC, requests: 300 }), simulatedRun({ ...SPEC, requests: 300, seed: 2 }), FAST);
  const p99 = report.metrics.find((m) => m.metric === 'ttft_p99')!;
  assert.equal(p99.verdict, 'n/a');
  assert.match(p99.note!, /needs >= 1000 requests/);
  assert.notEqual(report.metrics.find((m) => m.metric === 'ttft_p90')!.verdict, 'n/a');
  // ITL p99 counts requests, not gaps: 300 requests x 23 gaps are still 300 clusters.
  assert.equal(report.metrics.find((m) => m.metric === 'itl_p99')!.verdict, 'n/a');
});

test('the report is deterministic for a seed, JSON-safe, and formats as a table', () => {
  const a = simulatedRun(SPEC);
  const b = simulatedRun({ ...SPEC, seed: 2 });
  const r1 = compareRuns(a, b, { ...FAST, seed: 11 });
  const r2 = compareRuns(a, b, { ...FAST, seed: 11 });
  assert.deepEqual(r1, r2);
  assert.deepEqual(JSON.parse(JSON.stringify(r1)), r1);
  const text = formatCompare(r1, { color: false });
  assert.match(text, /metric\s+base\s+candidate\s+change\s+95% CI\s+verdict/);
  assert.match(text, /TTFT p50 \(ms\)/);
  assert.match(text, /percentile-bootstrap/);
  assert.match(text, /cluster bootstrap/);
  assert.match(text, /Newcombe/);
  assert.ok(!text.includes('\x1b['));
  assert.ok(formatCompare(r1, { color: true }).includes('\x1b['));
});

test('flag parsers: percentages, thresholds, metric lists, confidence', () => {
  assert.equal(parsePercent('5%', '--min-change'), 5);
  assert.equal(parsePercent('2.5', '--min-change'), 2.5);
  assert.throws(() => parsePercent('-1', '--min-change'), ConfigError);
  assert.deepEqual(parseThresholdPct('ttft=10,e2e.p99=5%'), { ttft: 10, e2e_p99: 5 });
  assert.throws(() => parseThresholdPct('latncy=10'), /unknown metric "latncy"/);
  assert.throws(() => parseThresholdPct('ttft'), /METRIC=PERCENT/);
  assert.equal(thresholdFor('ttft_p99', { ttft: 10, ttft_p99: 20 }, 5), 20);
  assert.equal(thresholdFor('ttft_p90', { ttft: 10 }, 5), 10);
  assert.equal(thresholdFor('e2e_p90', { ttft: 10 }, 5), 5);
  assert.deepEqual(parseMetricList('ttft,errors'), ['ttft_mean', 'ttft_p50', 'ttft_p90', 'ttft_p99', 'error_rate']);
  assert.deepEqual(parseMetricList('output_tokens_per_s,e2e.p99'), ['e2e_p99', 'output_tokens_per_s']);
  assert.equal(parseMetricList(true).length, 23);
  assert.deepEqual(parseMetricList('quality'), ['exact_match', 'f1', 'rouge_l']);
  assert.throws(() => parseMetricList('ttft,bogus'), /unknown metric "bogus"/);
  assert.equal(parseConfidence('0.9'), 0.9);
  assert.equal(parseConfidence('99%'), 0.99);
  assert.throws(() => parseConfidence('1.5%'), ConfigError);
});
