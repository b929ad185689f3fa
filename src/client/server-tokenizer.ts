import { request } from 'undici';

/** A server's own token counter, found at one of the tokenize endpoints engines offer. */
export interface ServerTokenizer {
  /** Which shape answered: `vllm` ({model, prompt} -> {count}; SGLang too), `llamacpp` ({content} -> {tokens}), `tgi` ({inputs} -> [...]). */
  kind: 'vllm' | 'llamacpp' | 'tgi';
  url: string;
  count(text: string): Promise<number>;
  /**
   * Tokens of a chat as the server templates it (vLLM and SGLang take `messages`), or null when the endpoint
   * cannot say: the difference to the bare text is the template's share of every chat prompt.
   */
  countChat(messages: Array<{ role: string; content: string }>): Promise<number | null>;
}

interface Shape {
  kind: ServerTokenizer['kind'];
  body: (model: string, text: string) => unknown;
  read: (v: unknown) => number | null;
}

const SHAPES: Shape[] = [
  {
    kind: 'vllm',
    body: (model, text) => ({ model, prompt: text, add_special_tokens: true }),
    read: (v) => {
      const o = v as { count?: unknown; tokens?: unknown } | null;
      if (typeof o?.count === 'number') return o.count;
      return Array.isArray(o?.tokens) ? o.tokens.length : null;
    },
  },
  { kind: 'llamacpp', body: (_m, text) => ({ content: text, add_special: true }), read: (v) => (Array.isArray((v as { tokens?: unknown } | null)?.tokens) ? (v as { tokens: unknown[] }).tokens.length : null) },
  { kind: 'tgi', body: (_m, text) => ({ inputs: text, add_special_tokens: true }), read: (v) => (Array.isArray(v) ? v.length : null) },
];

/**
 * Finds the server's tokenize endpoint (`/tokenize` beside `/v1`, as vLLM, SGLang, llama.cpp and TGI serve it),
 * trying each request shape on a short text; null when none answers with a count. Bounded by `timeoutMs` per try.
 *
 * @example const tok = await findServerTokenizer('http://127.0.0.1:8000/v1', 'llama', {}, 2000); await tok?.count('hello')
 */
export async function findServerTokenizer(
  baseUrl: string,
  model: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<ServerTokenizer | null> {
  const origin = baseUrl.replace(/\/v1\/?$/, '').replace(/\/+$/, '');
  const url = `${origin}/tokenize`;
  for (const shape of SHAPES) {
    const post = async (body: unknown): Promise<number | null> => {
      try {
        const res = await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text2 = await res.body.text();
        if (res.statusCode !== 200) return null;
        return shape.read(JSON.parse(text2));
      } catch {
        return null;
      }
    };
    const count = (text: string): Promise<number | null> => post(shape.body(model, text));
    const probe = await count('Hello there, how are you today?');
    if (probe !== null && probe > 0) {
      return {
        kind: shape.kind,
        url,
        count: async (text) => {
          const n = await count(text);
          if (n === null) throw new Error(`${url} stopped answering`);
          return n;
        },
        countChat: (messages) => (shape.kind === 'vllm' ? post({ model, messages, add_generation_prompt: true }) : Promise.resolve(null)),
      };
    }
  }
  return null;
}
