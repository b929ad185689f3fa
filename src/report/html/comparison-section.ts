/** The comparison of two or more runs: side-by-side figures, an optional precomputed table, overlaid charts. */
import type { ReportRun } from './chart-data.js';
import { escapeHtml as e } from './escape.js';
import { chartBox, METRIC_NAMES } from './markup.js';
import { LATENCY_METRICS } from './samples.js';
import { comparisonRows } from './summary-figures.js';

/**
 * A table computed outside the renderer (e.g. from compareRuns), rendered as is. `tones` marks rows as
 * better / worse for colouring the `delta` columns (indices in `deltaColumns`).
 */
export interface CompareTable {
  caption?: string;
  headers: string[];
  rows: Array<Array<string | number | null>>;
  tones?: Array<'better' | 'worse' | 'same' | '' | undefined>;
  deltaColumns?: number[];
  /** Columns aligned right (numbers held as text); cells holding numbers always are. */
  alignRight?: number[];
  /** Why the figures may not compare (the runs differ in load, workload, ...): shown above the table, unfolded. */
  warnings?: string[];
  /** Sentences shown under the table (method, per-metric notes), folded. */
  notes?: string[];
}

export type CompareInput = CompareTable | string | ReadonlyArray<CompareTable | string>;

/** The "Comparison" section. */
export function comparisonSection(runs: readonly ReportRun[], compare?: CompareInput): string {
  const head = `<tr><th>metric</th>${runs.map((r) => `<th class="num">${e(r.label)}</th>`).join('')}</tr>`;
  const body = comparisonRows(runs.map((r) => r.results))
    .map(([name, values]) => `<tr><td>${e(name)}</td>${values.map((v) => `<td class="num">${e(v)}</td>`).join('')}</tr>`)
    .join('');
  const overlays = LATENCY_METRICS.map((m) => chartBox(`${METRIC_NAMES[m]}: CDF`, 'overlay-cdf', '', m)).join('');
  return [
    '<section id="comparison">',
    `<h2>Comparison <span class="badge">${runs.length} runs</span></h2>`,
    `<div class="table-wrap"><table class="side-by-side"><thead>${head}</thead><tbody>${body}</tbody></table></div>`,
    ...(compare === undefined ? [] : typeof compare === 'string' || !Array.isArray(compare) ? [compare as CompareTable | string] : compare).map(compareMarkup),
    '<h3>Latency distributions, overlaid</h3>',
    `<div class="grid">${overlays}${chartBox('Output tokens/s over time', 'overlay-throughput', '', '', '', true)}</div>`,
    '</section>',
  ].join('\n');
}

function compareMarkup(compare: CompareTable | string): string {
  if (typeof compare === 'string') {
    return `<h3>Compare</h3><div class="table-wrap"><pre class="compare">${e(compare)}</pre></div>`;
  }
  const deltas = new Set(compare.deltaColumns ?? []);
  const right = new Set(compare.alignRight ?? []);
  const head = `<tr>${compare.headers.map((h, k) => `<th${right.has(k) ? ' class="num"' : ''}>${e(h)}</th>`).join('')}</tr>`;
  const rows = compare.rows
    .map((row, i) => {
      const tone = compare.tones?.[i] ?? '';
      const cells = row.map((c, k) => {
        const cls = [typeof c === 'number' || right.has(k) ? 'num' : '', deltas.has(k) ? 'delta' : ''].filter(Boolean).join(' ');
        return `<td${cls ? ` class="${cls}"` : ''}>${e(c ?? '-')}</td>`;
      });
      return `<tr${tone ? ` class="${e(tone)}"` : ''}>${cells.join('')}</tr>`;
    })
    .join('');
  const caption = compare.caption ? `<caption>${e(compare.caption)}</caption>` : '';
  // Notes qualify figures; folded so the table stays in view.
  const notes = compare.notes?.length ? `<details class="notes"><summary>Notes (${compare.notes.length})</summary><ul>${compare.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul></details>` : '';
  const warnings = compare.warnings?.length
    ? `<div class="panel compare-warnings"><b class="warn">The runs differ, so differences may not be the system's:</b><ul>${compare.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul></div>`
    : '';
  return (
    `<h3>Compare</h3>${warnings}<div class="table-wrap"><table class="compare">${caption}<thead>${head}</thead>` +
    `<tbody>${rows}</tbody></table>${notes}</div>`
  );
}
