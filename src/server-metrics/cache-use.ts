/** How much of a run's prompt the server served from its prefix cache, read from a stored `results.server`. */

export interface PromptCacheUse {
  /** 0-1: cached / prompt tokens when the server counted both, else its prefix-cache hit rate; null when unknown. */
  share: number | null;
  cached_tokens: number | null;
  prompt_tokens: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const rec = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/**
 * Reads the prompt-cache figures of a run's server section. Accepts anything (older results lack the fields,
 * runs without /metrics have no section) and answers null where the server did not say.
 *
 * @example promptCacheUse(results.server) // { share: 0.78, cached_tokens: 15600, prompt_tokens: 20000 }
 */
export function promptCacheUse(server: unknown): PromptCacheUse {
  const s = rec(server);
  const tokens = rec(s?.['tokens']);
  const cached = num(tokens?.['prompt_cached']);
  const prompt = num(tokens?.['prompt']);
  const share = cached !== null && prompt !== null && prompt > 0 ? cached / prompt : num(s?.['prefix_cache_hit_rate']);
  return { share, cached_tokens: cached, prompt_tokens: prompt };
}
