import { textTable } from '../store/text-table.js';
import type { EndpointRow } from './endpoint-row.js';
import type { EndpointsDocument } from './run-endpoints.js';

const f = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));

/**
 * A leaderboard per workload shape, fastest per user first: speed in tokens, characters and words per second, time
 * to the first and to the 100th token, E2E, throughput, errors and cost; GPU scaling and answer quality when known.
 */
export function formatEndpoints(doc: EndpointsDocument): string {
  const out: string[] = [];
  for (const shape of doc.shapes) {
    const rows = doc.rows.filter((r) => r.shape === shape).sort((a, b) => (b.tokens_per_s_per_user ?? -1) - (a.tokens_per_s_per_user ?? -1));
    if (rows.length === 0) continue;
    const scaling = rows.every((r) => r.gpus !== null);
    const quality = rows.some((r) => r.quality !== null);
    const head = ['#', 'endpoint', 'model', 'tok/s/user', 'chars/s', 'words/s', 'tok/word', 'TTFT p50', '100 tok', 'E2E p50', 'out tok/s', 'errors', '$/1M out'];
    if (scaling) head.push('GPUs', 'tok/s/GPU', 'scaling');
    if (quality) head.push('exact', 'F1', 'ROUGE-L');
    const body = rows.map((r, i) => {
      const cells = [
        String(i + 1),
        r.endpoint,
        r.model,
        f(r.tokens_per_s_per_user, 1),
        f(r.chars_per_s_per_user, 0),
        f(r.words_per_s_per_user, 1),
        f(r.tokens_per_word, 2),
        r.ttft_p50_ms === null ? '-' : `${r.ttft_p50_ms.toFixed(0)} ms`,
        r.time_to_100_tokens_ms === null ? '-' : `${r.time_to_100_tokens_ms.toFixed(0)} ms${r.time_to_100_tokens_method === 'computed' ? '*' : ''}`,
        r.e2e_p50_ms === null ? '-' : `${r.e2e_p50_ms.toFixed(0)} ms`,
        f(r.output_tokens_per_s, 1),
        r.error_rate === null ? '-' : `${(100 * r.error_rate).toFixed(1)}%`,
        r.cost_per_1m_output_tokens === null ? '-' : `$${r.cost_per_1m_output_tokens.toFixed(2)}`,
      ];
      if (scaling) cells.push(String(r.gpus), f(r.output_tokens_per_s_per_gpu, 1), r.scaling_efficiency === null ? '-' : `${(100 * r.scaling_efficiency).toFixed(0)}%`);
      if (quality) cells.push(r.quality ? `${(100 * r.quality.exact_match).toFixed(1)}%` : '-', f(r.quality?.f1 ?? null, 3), f(r.quality?.rouge_l ?? null, 3));
      return cells;
    });
    out.push(`workload ${shape} (input/output tokens)`);
    out.push(textTable(head, body, { right: head.map((_, i) => i).filter((i) => i !== 1 && i !== 2) }));
    const notes: string[] = ['tok/s/user = 1000 / TPOT p50; chars/s and words/s: output per request over its E2E (median), comparable across tokenizers'];
    if (rows.some((r) => r.time_to_100_tokens_method === 'computed')) notes.push('100 tok: * = computed as TTFT p50 + 99 x TPOT p50 (the answers were shorter, or chunks carried no counts); others measured from the chunks');
    if (scaling) notes.push('scaling = (out tok/s per GPU) / (that of the configuration with the fewest GPUs); 100% is linear');
    for (const n of notes) out.push(`  ${n}`);
    out.push('');
  }
  return out.join('\n').trimEnd();
}

/** One line per finished run, for progress on stderr. */
export function formatEndpointProgress(row: EndpointRow): string {
  return `${row.endpoint} (${row.shape}): ${f(row.tokens_per_s_per_user, 1)} tok/s/user, TTFT p50 ${f(row.ttft_p50_ms, 0)} ms, ${f(row.output_tokens_per_s, 1)} out tok/s, errors ${row.error_rate === null ? '-' : `${(100 * row.error_rate).toFixed(1)}%`} (run ${row.run_id})`;
}
