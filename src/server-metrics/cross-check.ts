import { GAUGE_MIN_SAMPLES } from './series-stats.js';
import type { ServerSummary } from './server-summary.js';

/** What the client measured over the same window (all optional). */
export interface ClientFigures {
  clientPromptTokens?: number;
  clientOutputTokens?: number;
  clientTtftMeanMs?: number;
  clientE2eMeanMs?: number;
  /** Requests the client completed (ok) in the window. */
  clientRequests?: number;
}

export interface TokenMatch {
  client: number;
  server: number;
  /** server / client. */
  ratio: number;
  /** Within 2% (or 2 tokens per request) of each other. */
  match: boolean;
}

export interface CrossCheck {
  /** Plain sentences about what stands out; empty when nothing does. */
  notes: string[];
  token_match: { prompt: TokenMatch | null; generation: TokenMatch | null };
  /** Client mean TTFT minus the server's: network, HTTP and detokenization time outside the engine. */
  ttft_overhead_ms: number | null;
  /** Client mean end-to-end latency minus the server's. */
  e2e_overhead_ms: number | null;
  /** Server mean queue time / client mean TTFT: how much of the wait for the first token was queueing. */
  queue_share_of_ttft: number | null;
}

function tokenMatch(client: number | undefined, server: number | null, requests: number | undefined): TokenMatch | null {
  if (client === undefined || server === null) return null;
  const slack = Math.max(0.02 * client, 2 * (requests ?? 0));
  return { client, server, ratio: client > 0 ? server / client : NaN, match: Math.abs(server - client) <= slack };
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

/**
 * A prefix-cache share of prompt tokens from which it is called out. Below it, hits are the usual shared chat
 * template or system prompt.
 */
export const CACHE_SHARE_NOTE = 0.1;

/**
 * Compares the server's own view with the client's and says in plain sentences what stands out: a growing
 * waiting queue, a nearly full KV cache, preemptions, aborted requests, token counts that disagree.
 *
 * @example crossCheck(summary, { clientPromptTokens: 51200, clientOutputTokens: 12800, clientTtftMeanMs: 85 })
 */
export function crossCheck(summary: ServerSummary, client: ClientFigures): CrossCheck {
  const notes: string[] = [];
  const waitingSeries = summary.series.requests_waiting ?? [];
  const waiting = summary.requests_waiting;
  if (waiting && waiting.max > 0) {
    const first = waitingSeries[0]?.[1] ?? 0;
    const last = waiting.last;
    if (last > first && last >= 1) {
      notes.push(
        `The server's waiting queue grew from ${fmt(first)} to ${fmt(last)} requests (peak ${fmt(waiting.max)}): ` +
          'requests arrived faster than the server could start them, so latency includes queueing.',
      );
    } else {
      const mean = waiting.samples >= GAUGE_MIN_SAMPLES ? `, mean ${fmt(waiting.mean, 1)}` : '';
      notes.push(`Requests waited in the server's queue (peak ${fmt(waiting.max)}${mean}).`);
    }
  }
  const kv = summary.kv_cache_usage;
  if (kv && kv.max > 0.9) {
    const mean = kv.samples >= GAUGE_MIN_SAMPLES ? ` (mean ${fmt(kv.mean * 100)}%)` : '';
    notes.push(`KV cache usage reached ${fmt(kv.max * 100)}%${mean}: the server was near its memory limit.`);
  }
  if (summary.preemptions !== null && summary.preemptions > 0) {
    notes.push(`The server preempted ${fmt(summary.preemptions)} request(s) for lack of KV cache; their latency includes recomputation.`);
  }
  const aborted = Object.entries(summary.finish_reasons).filter(([r, n]) => n > 0 && (r === 'abort' || r.startsWith('error')));
  for (const [reason, n] of aborted) notes.push(`The server counted ${fmt(n)} request(s) finishing with "${reason}".`);
  // Prompt tokens compare with cache hits included on both sides; a server that counts only computed tokens and
  // not the cached ones cannot be compared, and a shortfall there is not a mismatch.
  const prompt = tokenMatch(client.clientPromptTokens, summary.tokens.prompt, client.clientRequests);
  const generation = tokenMatch(client.clientOutputTokens, summary.tokens.generation, client.clientRequests);
  const { prompt_cached: cached, prompt_computed: computed } = summary.tokens;
  if (summary.tokens.prompt === null && computed !== null && client.clientPromptTokens !== undefined && computed < client.clientPromptTokens) {
    notes.push(
      `The server computed ${fmt(computed)} of the client's ${fmt(client.clientPromptTokens)} prompt tokens; it does not report ` +
        'prompt-cache hits (llama.cpp builds before prompt_tokens_cached_total), so the rest may have come from its cache: not compared.',
    );
  }
  if (cached !== null && summary.tokens.prompt !== null && summary.tokens.prompt > 0 && cached / summary.tokens.prompt >= CACHE_SHARE_NOTE) {
    notes.push(
      `The server served ${fmt(cached)} of ${fmt(summary.tokens.prompt)} prompt tokens (${fmt((100 * cached) / summary.tokens.prompt)}%) ` +
        'from its prefix cache: TTFT and prefill time reflect cache hits, not full prefills.',
    );
  }
  for (const [what, m] of [['prompt', prompt], ['output', generation]] as const) {
    if (m && !m.match) {
      notes.push(
        `The server counted ${fmt(m.server)} ${what} tokens, the client ${fmt(m.client)} (ratio ${fmt(m.ratio, 3)}): ` +
          'another client may share the server, the tokenizers differ, or requests were cut short.',
      );
    }
  }
  const serverTtft = summary.ttft_ms?.mean ?? null;
  const ttft_overhead_ms = client.clientTtftMeanMs !== undefined && serverTtft !== null ? client.clientTtftMeanMs - serverTtft : null;
  if (ttft_overhead_ms !== null && client.clientTtftMeanMs !== undefined && ttft_overhead_ms > Math.max(50, 0.25 * client.clientTtftMeanMs)) {
    notes.push(`The client saw TTFT ${fmt(ttft_overhead_ms)} ms above the server's own figure: time spent outside the engine (network, HTTP front end, tokenization).`);
  }
  const serverE2e = summary.e2e_ms?.mean ?? null;
  const e2e_overhead_ms = client.clientE2eMeanMs !== undefined && serverE2e !== null ? client.clientE2eMeanMs - serverE2e : null;
  if (summary.scrapes.failed > 0) {
    notes.push(`${summary.scrapes.failed} of ${summary.scrapes.ok + summary.scrapes.failed} metrics scrapes failed; server figures may be incomplete.`);
  }
  const queueMean = summary.queue_ms?.mean ?? null;
  const queue_share_of_ttft =
    queueMean !== null && client.clientTtftMeanMs !== undefined && client.clientTtftMeanMs > 0 ? queueMean / client.clientTtftMeanMs : null;
  if (queue_share_of_ttft !== null && queue_share_of_ttft > 0.5) {
    notes.push(`Queueing in the server was ${fmt(queue_share_of_ttft * 100)}% of TTFT: the server was saturated; more load only adds waiting.`);
  }
  return { notes, token_match: { prompt, generation }, ttft_overhead_ms, e2e_overhead_ms, queue_share_of_ttft };
}
