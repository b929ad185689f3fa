/**
 * Reads figures out of a stored run summary. The summary is opaque JSON to the store (its shape
 * belongs to the stats layer and may grow), so every read is by path and tolerates absence.
 */

/** The value at a dotted path, or undefined. */
export function pathValue(doc: unknown, path: string): unknown {
  let node: unknown = doc;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The first finite number found at any of the paths, or null. */
export function pickNumber(doc: unknown, ...paths: string[]): number | null {
  for (const path of paths) {
    const value = pathValue(doc, path);
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

/** Known locations of the figures the run list and show commands display. */
export const SUMMARY_PATHS = {
  requestsTotal: ['requests.total'],
  requestsSucceeded: ['requests.succeeded', 'requests.ok'],
  requestsFailed: ['requests.failed'],
  errorRate: ['errors.error_rate'],
  windowS: ['window_s'],
  ttftP50: ['ttft_ms.p50'],
  outputTokensPerS: ['throughput.output_tokens_per_s'],
  requestsPerS: ['throughput.requests_per_s'],
  totalTokensPerS: ['throughput.total_tokens_per_s'],
  goodputPerS: ['goodput.requests_per_s'],
  attainment: ['goodput.attainment'],
} as const;

/** Latency distributions shown by `runs show`, in display order. */
export const SUMMARY_DISTRIBUTIONS = [
  ['TTFT', 'ttft_ms'],
  ['TPOT', 'tpot_ms'],
  ['ITL', 'itl_ms'],
  ['E2E latency', 'e2e_ms'],
  ['schedule lag', 'schedule_lag_ms'],
] as const;

/**
 * A number for a table cell: `-` when absent, fixed decimals otherwise.
 * @example formatNumber(12.345, 1) // "12.3"
 */
export function formatNumber(value: number | null, decimals = 1): string {
  return value === null ? '-' : value.toFixed(decimals);
}
