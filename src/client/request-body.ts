import type { RequestSpec } from '../workload/spec.js';
import type { ClientConfig } from './types.js';

/** Path of the streaming endpoint for the configured API, below the base URL's own path (e.g. /v1). */
export function endpointPath(config: Pick<ClientConfig, 'baseUrl' | 'api'>): string {
  const base = new URL(config.baseUrl).pathname.replace(/\/+$/, '');
  return `${base}/${config.api === 'chat' ? 'chat/completions' : 'completions'}`;
}

/** Request headers for every call: JSON in, SSE out, the bearer key when set, then the user's headers. */
export function requestHeaders(config: Pick<ClientConfig, 'apiKey' | 'headers'>): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (config.apiKey) h.authorization = `Bearer ${config.apiKey}`;
  for (const [k, v] of Object.entries(config.headers)) h[k.toLowerCase()] = v;
  return h;
}

/**
 * The JSON body for one request. Chat sends `spec.messages`, or the prompt as one user message;
 * completions sends the prompt (or the messages' contents joined, when only messages are given).
 * `extraBody` is merged last so a user can override any field deliberately.
 * @example
 * buildRequestBody(cfg, { prompt: 'hi', max_tokens: 8, exact_output: false, input_tokens: 1 })
 * // { model, messages:[{role:'user',content:'hi'}], stream:true, max_tokens:8, stream_options:{include_usage:true} }
 */
export function buildRequestBody(
  config: Pick<ClientConfig, 'api' | 'model' | 'includeUsage' | 'exactOutputFields' | 'extraBody'>,
  spec: RequestSpec,
): Record<string, unknown> {
  const body: Record<string, unknown> = { model: config.model };
  if (config.api === 'chat') {
    body.messages = spec.messages ?? [{ role: 'user', content: spec.prompt ?? '' }];
  } else {
    body.prompt = spec.prompt ?? (spec.messages ?? []).map((m) => m.content).join('\n');
  }
  body.stream = true;
  if (spec.max_tokens != null) body.max_tokens = spec.max_tokens;
  if (config.includeUsage) body.stream_options = { include_usage: true };
  if (spec.exact_output && spec.max_tokens != null) {
    if (config.exactOutputFields.ignore_eos) body.ignore_eos = true;
    if (config.exactOutputFields.min_tokens) body.min_tokens = spec.max_tokens;
  }
  if (config.extraBody) Object.assign(body, config.extraBody);
  return body;
}
