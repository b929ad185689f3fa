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

/** Servers whose way of enabling /metrics a note can name. */
export type MetricsServerHint = 'llamacpp' | 'vllm' | 'sglang' | 'tgi' | 'ollama';

/** One candidate URL that gave no usable exposition, and why. */
export interface MetricsAttempt {
  url: string;
  /**
   * `http_status`: answered with another status than 200 (404: no such route; llama-server answers 501 without
   * --metrics). `not_exposition`: 200 with something else (an HTML page, JSON). `no_samples`: an exposition
   * without a single sample. `unreachable`: no answer (refused, reset, timeout).
   */
  problem: 'http_status' | 'not_exposition' | 'no_samples' | 'unreachable';
  status?: number;
  /** e.g. `HTTP 404`, `unparseable exposition: line 1: ...`, `ECONNREFUSED: ...`. */
  detail: string;
  /** The server the answer itself reveals (llama-server's 501 names --metrics). */
  server?: MetricsServerHint;
}

export type MetricsProbe = { found: true; url: string } | { found: false; attempts: MetricsAttempt[] };

/** What the answer says about who sent it: only what is unambiguous. */
function serverOf(body: string | undefined): MetricsServerHint | undefined {
  if (body && /does not support metrics endpoint/i.test(body)) return 'llamacpp';
  return undefined;
}

/**
 * Looks for the Prometheus endpoint beside an OpenAI-compatible API: for `http://h:p/v1` tries
 * `http://h:p/metrics` (and `http://h:p/prefix/metrics` first for `http://h:p/prefix/v1`). Found: the first URL
 * answering 200 with a parseable exposition holding at least one sample. Not found: why, per URL tried, so the
 * caller can say how to turn metrics on (noMetricsNote).
 *
 * @example await probeMetricsUrl('http://127.0.0.1:8080/v1') // { found: false, attempts: [{ problem: 'http_status', status: 501, server: 'llamacpp', ... }] }
 */
export async function probeMetricsUrl(
  baseUrl: string,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<MetricsProbe> {
  const agent = new Agent({ connections: 1 });
  const attempts: MetricsAttempt[] = [];
  try {
    for (const url of metricsUrlCandidates(baseUrl)) {
      const fetchOptions = { dispatcher: agent, timeoutMs: options.timeoutMs ?? 3000 };
      const r = await fetchExposition(url, options.headers ? { ...fetchOptions, headers: options.headers } : fetchOptions);
      if (r.ok && r.families && r.families.some((f) => f.samples.length > 0)) return { found: true, url };
      const attempt: MetricsAttempt =
        r.ok
          ? { url, status: 200, problem: 'no_samples', detail: 'an exposition without samples' }
          : r.status === undefined
            ? { url, problem: 'unreachable', detail: r.error ?? 'no answer' }
            : r.status === 200
              ? { url, status: 200, problem: 'not_exposition', detail: r.error ?? 'not an exposition' }
              : { url, status: r.status, problem: 'http_status', detail: r.error ?? `HTTP ${r.status}` };
      const server = serverOf(r.body_excerpt);
      if (server) attempt.server = server;
      attempts.push(attempt);
    }
    return { found: false, attempts };
  } finally {
    await agent.close();
  }
}

/**
 * Finds the Prometheus endpoint beside an OpenAI-compatible API (see probeMetricsUrl); undefined when none.
 *
 * @example await detectMetricsUrl('http://127.0.0.1:8000/v1') // 'http://127.0.0.1:8000/metrics'
 */
export async function detectMetricsUrl(
  baseUrl: string,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<string | undefined> {
  const probe = await probeMetricsUrl(baseUrl, options);
  return probe.found ? probe.url : undefined;
}

const ENABLE: Record<MetricsServerHint, string> = {
  llamacpp: 'llama-server exposes it only when started with --metrics (or LLAMA_ARG_ENDPOINT_METRICS=1)',
  sglang: 'SGLang exposes it only when started with --enable-metrics',
  vllm: 'vLLM serves it on its API port by default, with figures only when started without --disable-log-stats',
  tgi: 'TGI serves it on its API port and on its Prometheus port (9000 by default, --prometheus-port): pass --scrape http://HOST:9000/metrics',
  ollama: 'Ollama has no Prometheus endpoint (its timings come in each response)',
};

const ALL_SERVERS =
  'llama-server needs --metrics, SGLang --enable-metrics; vLLM serves it on its API port by default; ' +
  'TGI also on its Prometheus port (9000 by default, --prometheus-port)';

/** Reads a server name as the run's fingerprint writes it (`llama.cpp`, `vLLM 0.11`, `sglang`, ...). */
function hintOf(server: string | undefined): MetricsServerHint | undefined {
  const s = (server ?? '').toLowerCase();
  if (/llama[._ -]?cpp|llama-server/.test(s)) return 'llamacpp';
  if (s.includes('vllm')) return 'vllm';
  if (s.includes('sglang')) return 'sglang';
  if (s.includes('tgi') || s.includes('text-generation-inference')) return 'tgi';
  if (s.includes('ollama')) return 'ollama';
  return undefined;
}

function what(a: MetricsAttempt): string {
  switch (a.problem) {
    case 'http_status':
      return `${a.url} answered HTTP ${a.status}`;
    case 'not_exposition':
      return `${a.url} did not answer with Prometheus metrics`;
    case 'no_samples':
      return `${a.url} answered with no metrics in it`;
    case 'unreachable':
      return `${a.url} did not answer (${a.detail})`;
  }
}

/**
 * The one sentence to show when no metrics endpoint was found: what the URL answered and how to enable
 * metrics on the server at hand (named by the answer itself, else by `server`, the engine the run detected),
 * or on each common server when it is unknown.
 *
 * @example noMetricsNote(probe, { server: 'llama.cpp' })
 * // 'No server-side view: http://127.0.0.1:8080/metrics answered HTTP 501. llama-server exposes it only when started with --metrics ...'
 */
export function noMetricsNote(probe: Extract<MetricsProbe, { found: false }>, options: { server?: string } = {}): string {
  const attempts = probe.attempts;
  const shown = attempts.find((a) => a.server) ?? attempts[attempts.length - 1];
  const head = shown ? `No server-side view: ${what(shown)}.` : 'No server-side view: no metrics URL to try.';
  const hint = shown?.server ?? hintOf(options.server);
  const how = hint ? `${ENABLE[hint]}.` : `To enable /metrics: ${ALL_SERVERS}.`;
  return `${head} ${how} Or name the endpoint with --scrape URL (--no-scrape skips the server view).`;
}
