import type { RequestRecord } from '../measure/record.js';
import { describe } from './percentiles.js';
import { ttftMs } from './request-metrics.js';

/** A multi-turn run seen by conversation: how many finished, TTFT by turn, and how much of each prompt was history. */
export interface SessionSummary {
  /** Conversations with at least one measured turn. */
  conversations: number;
  /** Conversations whose every turn succeeded. */
  completed: number;
  /** Turns per conversation (the most, when conversations differ). */
  turns: number;
  /** Client tokens of history over client tokens of all prompts, succeeded turns. */
  history_share: number | null;
  per_turn: Array<{ turn: number; requests: number; ttft_p50_ms: number | null; ttft_p99_ms: number | null; input_tokens_mean: number | null }>;
  /** Run cost over completed conversations, when a price was given. */
  cost_per_conversation: number | null;
}

export function summarizeSessions(counted: readonly RequestRecord[], succeeded: readonly RequestRecord[], turns: number | null, cost: number | null): SessionSummary | null {
  if (turns === null || !counted.some((r) => r.session !== undefined)) return null;
  const bySession = new Map<number, RequestRecord[]>();
  for (const r of counted) {
    if (r.session === undefined) continue;
    const list = bySession.get(r.session) ?? [];
    list.push(r);
    bySession.set(r.session, list);
  }
  let completed = 0;
  for (const list of bySession.values()) if (list.length === (list[0]!.session_turns ?? turns) && list.every((r) => r.ok)) completed++;
  let history = 0;
  let total = 0;
  for (const r of succeeded) {
    if (r.history_tokens === undefined || r.requested_input_tokens === undefined) continue;
    history += r.history_tokens;
    total += r.requested_input_tokens;
  }
  const perTurn = Array.from({ length: turns }, (_, turn) => {
    const ok = succeeded.filter((r) => r.turn === turn);
    const ttft = describe(ok.flatMap((r) => {
      const t = ttftMs(r);
      return t === null ? [] : [t];
    }));
    const inputs = ok.map((r) => r.input_tokens ?? 0);
    return {
      turn,
      requests: ok.length,
      ttft_p50_ms: ttft.p50,
      ttft_p99_ms: ttft.p99,
      input_tokens_mean: inputs.length > 0 ? inputs.reduce((a, b) => a + b, 0) / inputs.length : null,
    };
  });
  return {
    conversations: bySession.size,
    completed,
    turns,
    history_share: total > 0 ? history / total : null,
    per_turn: perTurn,
    cost_per_conversation: cost !== null && completed > 0 ? cost / completed : null,
  };
}
