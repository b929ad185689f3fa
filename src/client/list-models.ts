import { request } from 'undici';
import { ClientError, cleanMessage, extractErrorMessage, networkErrorMessage } from './errors.js';

export interface ListModelsOptions {
  apiKey?: string;
  headers?: Record<string, string>;
  /** Whole-request timeout. Default 10 s. */
  timeoutMs?: number;
}

/**
 * Lists the model ids a server offers (GET {baseUrl}/models).
 * @throws ClientError with `status` on a non-200 answer, or with `cause` on a network failure.
 * @example await listModels('http://127.0.0.1:8000/v1') // ['meta-llama/Llama-3.1-8B-Instruct']
 */
export async function listModels(baseUrl: string, opts: ListModelsOptions = {}): Promise<string[]> {
  const url = `${baseUrl.replace(/\/+$/, '')}/models`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let res;
  try {
    res = await request(url, { method: 'GET', headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const timedOut = (err as Error)?.name === 'TimeoutError';
    const msg = timedOut ? `no answer within ${timeoutMs} ms` : networkErrorMessage(err, opts.apiKey);
    throw new ClientError(`cannot list models at ${url}: ${msg}`, { cause: err });
  }
  const text = await res.body.text();
  if (res.statusCode !== 200) {
    const detail = cleanMessage(extractErrorMessage(text), opts.apiKey);
    throw new ClientError(`GET ${url} answered HTTP ${res.statusCode}${detail ? `: ${detail}` : ''}`, { status: res.statusCode });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ClientError(`GET ${url} did not answer JSON: ${cleanMessage(text.slice(0, 200), opts.apiKey)}`, { cause: err, status: 200 });
  }
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new ClientError(`GET ${url}: answer has no "data" array`, { status: 200 });
  return data
    .map((m) => (m as { id?: unknown } | null)?.id)
    .filter((id): id is string => typeof id === 'string');
}
