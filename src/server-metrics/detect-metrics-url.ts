import { Agent } from 'undici';
import { fetchExposition } from './fetch-exposition.js';

/** Where a metrics endpoint may live for an OpenAI base URL, most specific first. */
export function metricsUrlCandidates(baseUrl: string): string[] {
  const u = new URL(baseUrl);
  let path = u.pathname.replace(/\/+$/, '');
  if (path.endsWith('/v1')) path = path.slice(0, -3);
  const out = [];
  if (path) out.push(`${u.origin}${path}/metrics`);
  out.push(`${u.origin}/metrics`);
  return out;
}

/**
 * Finds the Prometheus endpoint beside an OpenAI-compatible API: for `http://h:p/v1` tries `http://h:p/metrics`
 * (and `http://h:p/prefix/metrics` for `http://h:p/prefix/v1`). Returns the first URL answering 200 with a
 * parseable, non-empty exposition, else undefined.
 *
 * @example await detectMetricsUrl('http://127.0.0.1:8000/v1') // 'http://127.0.0.1:8000/metrics'
 */
export async function detectMetricsUrl(
  baseUrl: string,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<string | undefined> {
  const agent = new Agent({ connections: 1 });
  try {
    for (const url of metricsUrlCandidates(baseUrl)) {
      const fetchOptions = { dispatcher: agent, timeoutMs: options.timeoutMs ?? 3000 };
      const r = await fetchExposition(url, options.headers ? { ...fetchOptions, headers: options.headers } : fetchOptions);
      if (r.ok && r.families && r.families.some((f) => f.samples.length > 0)) return url;
    }
    return undefined;
  } finally {
    await agent.close();
  }
}
