import type { ServerResults } from '../server-metrics/server-results.js';
import type { LatencyStats } from '../server-metrics/index.js';

type Paint = (text: string) => string;

/** The server-side block of the console summary: what /metrics said over the same window, and the cross-checks. */
export function formatServerSection(server: ServerResults, paint: { dim: Paint; yellow: Paint; green: Paint }): string[] {
  const lines: string[] = [];
  const n = (v: number | null | undefined, d = 0): string => (v === null || v === undefined ? 'n/a' : v.toFixed(d));
  const scr = server.scrapes;
  lines.push(`server       ${server.engines.join(' + ') || 'unknown engine'} (/metrics, ${scr.ok} scrapes${scr.failed ? `, ${scr.failed} failed` : ''})`);
  const tm = server.cross_check?.token_match;
  const match = (m: { match: boolean } | null | undefined): string => (m ? (m.match ? paint.green(' = client') : paint.yellow(' != client')) : '');
  if (server.tokens.prompt !== null || server.tokens.generation !== null) {
    lines.push(`  tokens     prompt ${n(server.tokens.prompt)}${match(tm?.prompt)}   generation ${n(server.tokens.generation)}${match(tm?.generation)}`);
  }
  const gauge = (name: string, g: { mean: number; max: number } | null, scale = 1, unit = '', d = 1): void => {
    if (g) lines.push(`  ${name.padEnd(10)} mean ${n(g.mean * scale, d)}${unit}   max ${n(g.max * scale, d)}${unit}`);
  };
  gauge('running', server.requests_running);
  gauge('waiting', server.requests_waiting);
  gauge('kv cache', server.kv_cache_usage, 100, '%');
  const lat = (name: string, l: LatencyStats | null): void => {
    if (!l || l.count === 0) return;
    const q = l.quantiles_from === 'none' ? '' : `   p50 ${n(l.p50, 1)}   p99 ${n(l.p99, 1)}`;
    lines.push(`  ${name.padEnd(10)} mean ${n(l.mean, 1)} ms${q}${l.quantiles_from === 'buckets' ? paint.dim('  (bucket interpolation)') : ''}`);
  };
  lat('ttft', server.ttft_ms);
  lat('itl', server.itl_ms);
  lat('e2e', server.e2e_ms);
  lat('queue', server.queue_ms);
  const fr = Object.entries(server.finish_reasons).filter(([, v]) => v > 0);
  if (fr.length > 0) lines.push(`  finish     ${fr.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (server.preemptions) lines.push(paint.yellow(`  preemptions ${server.preemptions}`));
  const cc = server.cross_check;
  if (cc && cc.ttft_overhead_ms !== null) {
    lines.push(`  overhead   client TTFT - server TTFT = ${n(cc.ttft_overhead_ms, 1)} ms (network, HTTP, detokenization)`);
  }
  if (cc && cc.queue_share_of_ttft !== null) lines.push(`  queueing   ${n(cc.queue_share_of_ttft * 100, 1)}% of client TTFT`);
  if (scr.duration_ms.p50 !== null) {
    lines.push(
      paint.dim(`  scraping   ${n(scr.duration_ms.p50, 1)} ms per scrape (max ${n(scr.duration_ms.max, 1)}), parse ${n(scr.parse_ms.p50, 2)} ms, on its own connection`),
    );
  }
  for (const note of cc?.notes ?? []) lines.push(paint.yellow(`  note: ${note}`));
  return lines;
}
