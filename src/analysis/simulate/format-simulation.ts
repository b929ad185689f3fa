import { textTable } from '../../store/text-table.js';
import type { CheckRow } from './check.js';
import { describeCostModel } from './cost-model.js';
import type { SimulationResult } from './simulate.js';

const ms = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const num = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined ? '-' : x.toFixed(digits));
const pct = (x: number | null): string => (x === null ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`);
const loadText = (l: { concurrency: number } | { rate: number }): string => ('concurrency' in l ? `concurrency ${l.concurrency}` : `${l.rate} req/s`);

/** The console view of a simulation: the cost model, one row per load, the capacity, and the check against measurements. */
export function formatSimulation(r: SimulationResult, notes: readonly string[], check: readonly CheckRow[]): string {
  const lines = [`cost model: ${describeCostModel(r.cost_model)}`];
  for (const n of notes) lines.push(`  ${n}`);
  if (r.replicas > 1) lines.push(`${r.replicas} replicas behind a least-loaded balancer`);
  lines.push('', `predicted (${r.requests} requests per load):`);
  lines.push(
    textTable(
      ['load', 'TTFT p50', 'TTFT p99', 'TPOT p50', 'TPOT p99', 'E2E p50', 'req/s', 'out tok/s', 'queue p50', 'preempted', 'SLO met'],
      r.steps.map((st) => {
        const s = st.summary;
        return [
          loadText(st.load), ms(s.ttft_ms.p50), ms(s.ttft_ms.p99), ms(s.tpot_ms.p50), ms(s.tpot_ms.p99), ms(s.e2e_ms.p50),
          num(s.throughput.requests_per_s, 2), num(s.throughput.output_tokens_per_s, 0), ms(st.queue_ms.p50), String(st.preemptions),
          s.goodput.attainment === null ? '-' : `${(s.goodput.attainment * 100).toFixed(1)}%`,
        ];
      }),
      { right: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
    ),
  );
  lines.push('(times in ms)');
  if (r.capacity) {
    const c = r.capacity;
    const unit = c.axis === 'rate' ? ' req/s' : ' concurrent requests';
    lines.push(
      '',
      c.value === null
        ? `capacity: no load tried meets the SLO for ${(c.attainment_target * 100).toFixed(1)}% of requests`
        : `capacity: ${num(c.value, c.axis === 'rate' ? 2 : 0)}${unit} meet the SLO for ${(c.attainment_target * 100).toFixed(1)}% of requests (next tried: ${c.bracket[1] ?? '-'}; ${c.stopped_by})`,
    );
  }
  if (check.length > 0) {
    lines.push('', 'checked against measured runs (p50s; error = predicted vs measured):');
    lines.push(
      textTable(
        ['run', 'load', 'TTFT meas', 'pred', 'error', 'TPOT meas', 'pred', 'error', 'tok/s meas', 'pred', 'error'],
        check.map((c) => [
          c.runs.length > 1 ? `${c.runs[0]} +${c.runs.length - 1} repeats` : c.run, loadText(c.load),
          ms(c.measured.ttft_p50_ms), ms(c.predicted.ttft_p50_ms), pct(c.error_pct.ttft_p50_ms),
          ms(c.measured.tpot_p50_ms), ms(c.predicted.tpot_p50_ms), pct(c.error_pct.tpot_p50_ms),
          num(c.measured.output_tokens_per_s, 0), num(c.predicted.output_tokens_per_s, 0), pct(c.error_pct.output_tokens_per_s),
        ]),
        { right: [2, 3, 4, 5, 6, 7, 8, 9, 10] },
      ),
    );
  }
  return lines.join('\n');
}
