/** Small markup pieces shared by the report's sections. */
import { escapeHtml as e } from './escape.js';
import type { LatencyMetric } from './samples.js';

export const METRIC_NAMES: Record<LatencyMetric, string> = {
  ttft: 'TTFT (time to first token)',
  tpot: 'TPOT (time per output token)',
  itl: 'ITL (inter-token latency)',
  e2e: 'E2E (request latency)',
};

/**
 * A chart placeholder the page script fills from the embedded data: `chart` names the drawer, `run` and
 * `key` select the data. `note` must already be safe markup.
 */
export function chartBox(caption: string, chart: string, run: number | '', key: string, note = '', wide = false): string {
  return (
    `<figure class="chart-box${wide ? ' wide' : ''}"><figcaption>${e(caption)}</figcaption>` +
    `<div class="chart" data-chart="${e(chart)}" data-run="${e(run)}" data-key="${e(key)}"></div>` +
    `${note ? `<p class="note">${note}</p>` : ''}</figure>`
  );
}

/** A chart's frame with a reason instead of a chart (no samples, no requests). */
export function emptyBox(caption: string, why: string): string {
  return `<figure class="chart-box"><figcaption>${e(caption)}</figcaption><p class="muted">${e(why)}</p></figure>`;
}
