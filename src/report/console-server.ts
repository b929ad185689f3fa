import type { ServerResults } from '../server-metrics/server-results.js';
import { GAUGE_MIN_SAMPLES, type GaugeStats, type LatencyStats, type QuantileSupport } from '../server-metrics/index.js';

type Paint = (text: string) => string;

const n = (v: number | null | undefined, d = 0): string => (v === null || v === undefined ? 'n/a' : v.toFixed(d));
/** A bucket bound in ms without trailing zeros: 300, 0.5, 2.5. */
const bound = (ms: number): string => String(Number(ms.toPrecision(6)));

/** One quantile as its buckets support it: the value, or the bucket it lies in. */
function quantileText(value: number | null, support: QuantileSupport | null): { text: string; bounded: string | null } {
  if (!support || support.status === 'resolved') return { text: n(value, 1), bounded: null };
  if (support.bucket === 'first') return { text: `< ${bound(support.upper_ms!)} ms`, bounded: 'first bucket' };
  if (support.bucket === 'overflow') return { text: `> ${bound(support.lower_ms)} ms`, bounded: 'beyond the last bucket' };
  return { text: `${bound(support.lower_ms)}-${bound(support.upper_ms!)} ms`, bounded: 'one wide bucket' };
}

/** "p50 175.0   p99 < 300 ms (first bucket)", with equal bounds merged: "p50, p99 < 300 ms (first bucket)". */
function quantiles(l: LatencyStats, dim: Paint): string {
  if (l.quantiles_from === 'none') return '';
  if (l.quantiles_from === 'server_summary') return `   p50 ${n(l.p50, 1)}   p99 ${n(l.p99, 1)}${dim("  (the server's own sliding window)")}`;
  const items = (['p50', 'p99'] as const).map((k) => ({ k, ...quantileText(l[k], l.quantile_support?.[k] ?? null) }));
  const groups: { keys: string[]; text: string; bounded: string | null }[] = [];
  for (const it of items) {
    const last = groups[groups.length - 1];
    if (last && last.bounded && last.text === it.text) last.keys.push(it.k);
    else groups.push({ keys: [it.k], text: it.text, bounded: it.bounded });
  }
  const body = groups.map((g) => `${g.keys.join(', ')} ${g.text}${g.bounded ? ` (${g.bounded})` : ''}`).join('   ');
  const interpolated = groups.some((g) => !g.bounded);
  return `   ${body}${interpolated ? dim('  (bucket interpolation)') : ''}`;
}

/** The server-side block of the console summary: what /metrics said over the same window, and the cross-checks. */
export function formatServerSection(server: ServerResults, paint: { dim: Paint; yellow: Paint; green: Paint }): string[] {
  const lines: string[] = [];
  const scr = server.scrapes;
  lines.push(`server       ${server.engines.join(' + ') || 'unknown engine'} (/metrics, ${scr.ok} scrapes${scr.failed ? `, ${scr.failed} failed` : ''})`);
  const tm = server.cross_check?.token_match;
  const match = (m: { match: boolean } | null | undefined): string => (m ? (m.match ? paint.green(' = client') : paint.yellow(' != client')) : '');
  const t = server.tokens;
  // Older results carry only prompt and generation.
  const cached = t.prompt_cached ?? null;
  if (t.prompt !== null || t.generation !== null || t.prompt_computed != null) {
    const prompt =
      t.prompt !== null
        ? `prompt ${n(t.prompt)}${match(tm?.prompt)}${cached !== null ? ` (${n(cached)} from cache)` : ''}`
        : t.prompt_computed != null
          ? `prompt ${n(t.prompt_computed)} computed${paint.dim(' (cache hits not reported)')}`
          : 'prompt n/a';
    lines.push(`  tokens     ${prompt}   generation ${n(t.generation)}${match(tm?.generation)}`);
  }
  if (server.prefix_cache_hit_rate != null && cached === null) {
    lines.push(`  cache      prefix-cache hit rate ${n(server.prefix_cache_hit_rate * 100, 1)}%`);
  }
  if (server.prefill_tokens_per_s != null) lines.push(`  prefill    ${n(server.prefill_tokens_per_s)} tok/s (the server's own prompt processing)`);
  const gauge = (name: string, g: GaugeStats | null, scale = 1, unit = '', d = 1): void => {
    if (!g) return;
    // Older results have no sample count.
    const samples = g.samples ?? Infinity;
    const head = `  ${name.padEnd(10)} `;
    if (samples < GAUGE_MIN_SAMPLES) {
      lines.push(head + `max ${n(g.max * scale, d)}${unit}` + paint.dim(`  (${samples} scrapes: too few for a mean; a shorter --scrape-interval gives more)`));
    } else {
      lines.push(head + `mean ${n(g.mean * scale, d)}${unit}   max ${n(g.max * scale, d)}${unit}` + (Number.isFinite(samples) ? paint.dim(`  (${samples} scrapes)`) : ''));
    }
  };
  gauge('running', server.requests_running);
  gauge('waiting', server.requests_waiting);
  gauge('kv cache', server.kv_cache_usage, 100, '%');
  const lat = (name: string, l: LatencyStats | null): void => {
    if (!l || l.count === 0) return;
    lines.push(`  ${name.padEnd(10)} mean ${n(l.mean, 1)} ms${quantiles(l, paint.dim)}`);
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
