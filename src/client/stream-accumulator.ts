import type { TokenChunk } from '../measure/record.js';

/** What one parsed chunk meant for the request. */
export type ChunkOutcome = { kind: 'ok' } | { kind: 'error'; message: string };

interface Usage {
  prompt_tokens: number | null;
  completion_tokens: number | null;
  /** usage.prompt_tokens_details.cached_tokens (OpenAI; vLLM with --enable-prompt-tokens-details; SGLang). */
  cached_tokens?: number;
}

/**
 * Folds the JSON chunks of one OpenAI-compatible stream (chat or completions) into what the record needs:
 * token-bearing chunk times, text, finish_reason and usage. Chat and completions shapes are both accepted
 * whichever API was called, since servers mix them.
 */
export class StreamAccumulator {
  readonly chunks: TokenChunk[] = [];
  private readonly textParts: string[] = [];
  outputChars = 0;
  finishReason: string | null = null;
  /** usage from a chunk that carried no tokens (the final usage-only chunk, or the finish chunk). */
  finalUsage: Usage | null = null;
  /** Cumulative completion_tokens from usage streamed on token-bearing chunks. */
  private chunkUsageCumulative: number | null = null;
  /** All token-bearing chunks so far carried a per-chunk token count. */
  private allChunksCounted = true;
  /** Text parts that belong to the first token-bearing chunk (for estimating its token count). */
  private firstChunkParts = 0;

  /**
   * Applies one chunk that arrived at `t`.
   * @returns `{kind:'error'}` when the chunk carries an `error` object.
   */
  apply(value: unknown, t: number): ChunkOutcome {
    if (typeof value !== 'object' || value === null) {
      return { kind: 'error', message: `unexpected SSE data: ${JSON.stringify(value).slice(0, 120)}` };
    }
    const obj = value as Record<string, unknown>;
    if (obj.error != null) return { kind: 'error', message: errorText(obj.error) };

    let bearing = false;
    let onlyReasoning = true;
    let logprobTokens: number | null = null;
    const choices = obj.choices;
    if (Array.isArray(choices)) {
      for (let i = 0; i < choices.length; i++) {
        const c = choices[i] as Record<string, unknown> | null;
        if (c == null || typeof c !== 'object') continue;
        const delta = c.delta as Record<string, unknown> | null | undefined;
        if (delta != null && typeof delta === 'object') {
          if (this.take(delta.content)) {
            bearing = true;
            onlyReasoning = false;
          }
          if (this.take(delta.reasoning_content)) bearing = true;
          if (this.take(delta.reasoning)) bearing = true;
          const tools = delta.tool_calls;
          if (Array.isArray(tools) && tools.length > 0) {
            bearing = true;
            onlyReasoning = false;
            for (const call of tools) this.takeToolCall(call);
          }
        }
        if (this.take(c.text)) {
          bearing = true;
          onlyReasoning = false;
        }
        const n = logprobCount(c.logprobs);
        if (n !== null) logprobTokens = (logprobTokens ?? 0) + n;
        const fr = c.finish_reason;
        if (typeof fr === 'string' && fr.length > 0) this.finishReason = fr;
      }
    }

    const usage = readUsage(obj.usage);
    if (bearing) {
      let tokens: number | null = null;
      if (usage?.completion_tokens != null) {
        tokens = usage.completion_tokens - (this.chunkUsageCumulative ?? 0);
        this.chunkUsageCumulative = usage.completion_tokens;
      } else if (logprobTokens !== null) {
        tokens = logprobTokens;
      }
      if (tokens === null) this.allChunksCounted = false;
      this.chunks.push({ t, tokens, reasoning: onlyReasoning });
      if (this.chunks.length === 1) this.firstChunkParts = this.textParts.length;
    } else if (usage) {
      this.finalUsage = usage;
    }
    return { kind: 'ok' };
  }

  /** Generated text (content, reasoning, tool-call names and arguments) in arrival order. */
  text(): string {
    return this.textParts.join('');
  }

  /** Text of the first token-bearing chunk. */
  firstChunkText(): string {
    return this.textParts.slice(0, this.firstChunkParts).join('');
  }

  /** Tokens from per-chunk usage or logprobs, when every token-bearing chunk had a count. */
  chunkTokenCount(): number | null {
    if (this.chunks.length === 0 || !this.allChunksCounted) return null;
    let sum = 0;
    for (const c of this.chunks) sum += c.tokens ?? 0;
    return sum;
  }

  private take(v: unknown): boolean {
    if (typeof v !== 'string' || v.length === 0) return false;
    this.textParts.push(v);
    this.outputChars += v.length;
    return true;
  }

  private takeToolCall(call: unknown): void {
    if (typeof call !== 'object' || call === null) return;
    const fn = (call as Record<string, unknown>).function as Record<string, unknown> | undefined;
    if (fn && typeof fn === 'object') {
      this.take(fn.name);
      this.take(fn.arguments);
    }
  }
}

function readUsage(u: unknown): Usage | null {
  if (typeof u !== 'object' || u === null) return null;
  const o = u as Record<string, unknown>;
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
  const usage: Usage = { prompt_tokens: num(o.prompt_tokens), completion_tokens: num(o.completion_tokens) };
  const details = o.prompt_tokens_details;
  const cached = typeof details === 'object' && details !== null ? num((details as Record<string, unknown>).cached_tokens) : null;
  if (cached !== null) usage.cached_tokens = cached;
  return usage.prompt_tokens === null && usage.completion_tokens === null ? null : usage;
}

/** Tokens in a chunk's logprobs: chat `logprobs.content[]`, completions `logprobs.tokens[]`. */
function logprobCount(lp: unknown): number | null {
  if (typeof lp !== 'object' || lp === null) return null;
  const o = lp as Record<string, unknown>;
  if (Array.isArray(o.content)) return o.content.length;
  if (Array.isArray(o.tokens)) return o.tokens.length;
  return null;
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (typeof e === 'object' && e !== null) {
    const m = (e as Record<string, unknown>).message;
    if (typeof m === 'string') return m;
  }
  return JSON.stringify(e);
}
