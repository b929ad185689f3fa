/**
 * Cost of a run from either a GPU price per hour (cost of the measurement window) or an API price per
 * 1M input and output tokens. Amounts are in the currency the prices are given in.
 */

export interface Prices {
  /** Price of one GPU (or one instance) per hour. */
  gpu_per_hour?: number;
  /** Number of GPUs billed at gpu_per_hour (default 1). */
  gpu_count?: number;
  /** API price per 1M input (prompt) tokens. */
  input_per_1m?: number;
  /** API price per 1M output (completion) tokens. */
  output_per_1m?: number;
  /** API price per 1M input tokens served from the provider's prompt cache (default: the input price). */
  cached_input_per_1m?: number;
}

export interface CostSummary {
  basis: 'gpu_hour' | 'api_tokens';
  /** Total cost of the measured run. */
  total: number;
  per_request: number | null;
  per_1m_input_tokens: number | null;
  per_1m_output_tokens: number | null;
  per_1m_total_tokens: number | null;
  per_good_request: number | null;
}

export interface CostInputs {
  window_s: number;
  succeeded: number;
  /** Tokens of succeeded requests. */
  input_tokens: number;
  output_tokens: number;
  /** Tokens of failed requests: billed by an API, so included in API cost. */
  failed_input_tokens: number;
  failed_output_tokens: number;
  /** Good requests, null when no SLO was given. */
  good: number | null;
  /** Input tokens the server reported as served from its cache (all measured requests). */
  cached_input_tokens?: number;
}

/**
 * Computes run cost and unit costs; null when no usable price is given. GPU pricing bills the window
 * (gpu_per_hour x gpu_count x window hours); API pricing bills every measured token, failed requests
 * included. Unit costs divide by succeeded requests and their tokens (null when those are zero).
 */
export function computeCost(prices: Prices | undefined, x: CostInputs): CostSummary | null {
  if (!prices) return null;
  let basis: CostSummary['basis'];
  let total: number;
  if (prices.gpu_per_hour !== undefined) {
    basis = 'gpu_hour';
    total = prices.gpu_per_hour * (prices.gpu_count ?? 1) * (x.window_s / 3600);
  } else if (prices.input_per_1m !== undefined || prices.output_per_1m !== undefined) {
    basis = 'api_tokens';
    const input = x.input_tokens + x.failed_input_tokens;
    const output = x.output_tokens + x.failed_output_tokens;
    // Cached input tokens are billed at their own price when one is given and the server reported them.
    const cached = prices.cached_input_per_1m !== undefined ? Math.min(x.cached_input_tokens ?? 0, input) : 0;
    total = ((prices.input_per_1m ?? 0) * (input - cached) + (prices.cached_input_per_1m ?? 0) * cached + (prices.output_per_1m ?? 0) * output) / 1e6;
  } else {
    return null;
  }
  const per = (denominator: number | null, scale = 1): number | null =>
    denominator !== null && denominator > 0 ? (total / denominator) * scale : null;
  return {
    basis,
    total,
    per_request: per(x.succeeded),
    per_1m_input_tokens: per(x.input_tokens, 1e6),
    per_1m_output_tokens: per(x.output_tokens, 1e6),
    per_1m_total_tokens: per(x.input_tokens + x.output_tokens, 1e6),
    per_good_request: per(x.good),
  };
}
