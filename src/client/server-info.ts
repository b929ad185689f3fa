import { request } from 'undici';

/** What a server says about itself, for the run's environment fingerprint. */
export interface ServerInfo {
  /** `owned_by` of the served model in GET /models (vLLM says "vllm", llama.cpp "llamacpp", ...). */
  owned_by: string | null;
  /** A version string from the first route that answers: /version (vLLM, SGLang), /info (TGI), /props (llama.cpp). */
  version: string | null;
  /** The route the version came from. */
  version_source: string | null;
}

const VERSION_ROUTES: Array<{ path: string; read: (j: Record<string, unknown>) => unknown }> = [
  { path: '/version', read: (j) => j.version },
  { path: '/info', read: (j) => j.version },
  { path: '/get_server_info', read: (j) => j.version },
  { path: '/props', read: (j) => j.build_info },
];

/**
 * Asks the server what it is, best effort: all look-ups run at once, each within `timeoutMs` (default 2 s), and a
 * failure only leaves a field null.
 * Never throws. The key is sent as on every request but never kept.
 *
 * @example await probeServerInfo('http://127.0.0.1:8000/v1', 'meta-llama/Llama-3.1-8B') // { owned_by: 'vllm', version: '0.11.0', ... }
 */
export async function probeServerInfo(
  baseUrl: string,
  model: string,
  opts: { apiKey?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ServerInfo> {
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  const get = async (url: string): Promise<Record<string, unknown> | null> => {
    try {
      const res = await request(url, { method: 'GET', headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 2000) });
      const text = await res.body.text();
      if (res.statusCode !== 200) return null;
      const json = JSON.parse(text) as unknown;
      return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  const base = baseUrl.replace(/\/+$/, '');
  const info: ServerInfo = { owned_by: null, version: null, version_source: null };
  const origin = base.replace(/\/v1$/, '');
  // Every look-up at once: the slowest bounds the whole, never their sum.
  const [models, ...versions] = await Promise.all([get(`${base}/models`), ...VERSION_ROUTES.map((r) => get(`${origin}${r.path}`))]);
  const entry = Array.isArray(models?.data)
    ? (models.data as Array<Record<string, unknown>>).find((m) => m?.id === model) ?? (models.data[0] as Record<string, unknown> | undefined)
    : undefined;
  if (typeof entry?.owned_by === 'string') info.owned_by = entry.owned_by.slice(0, 100);
  for (const [i, route] of VERSION_ROUTES.entries()) {
    const json = versions[i];
    const version = json ? route.read(json) : undefined;
    if (typeof version === 'string' || typeof version === 'number') {
      info.version = String(version).slice(0, 100);
      info.version_source = route.path;
      break;
    }
  }
  return info;
}
