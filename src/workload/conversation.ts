/**
 * Multi-turn conversations: session s has `turns` user turns; each turn is sent with the whole history (every earlier
 * user turn and the server's actual answers), after the previous answer plus a think time. User turns are synthetic
 * prompts (the base workload's, one index per turn), so lengths follow --input-tokens and --output-tokens.
 */
import type { RequestSpec, Workload } from './spec.js';
import type { DatasetEntry } from './dataset-entry.js';
import { shuffledOrder } from './dataset-workload.js';
import { countTokens } from '../text/tokenizer.js';

export interface UserTurn {
  content: string;
  /** Client tokens of the content. */
  tokens: number;
  max_tokens: number | null;
  exact_output: boolean;
}

export interface ConversationWorkload extends Workload {
  readonly kind: 'conversation';
  /** The most turns a conversation has (record indices are session x turns + turn). */
  readonly turns: number;
  readonly thinkTimeMs: number;
  /** Turns of this conversation (1..turns). */
  turnCount(session: number): number;
  userTurn(session: number, turn: number): UserTurn;
}

export function createConversationWorkload(base: Workload, turns: number, thinkTimeMs: number): ConversationWorkload {
  if (!Number.isInteger(turns) || turns < 2) throw new RangeError(`a conversation needs at least 2 turns, got ${turns}`);
  const userTurn = (session: number, turn: number): UserTurn => {
    const s = base.spec(session * turns + turn);
    return { content: s.prompt ?? s.messages?.map((m) => m.content).join('\n') ?? '', tokens: s.input_tokens, max_tokens: s.max_tokens, exact_output: s.exact_output };
  };
  return {
    kind: 'conversation',
    name: `conversations(${turns} turns${thinkTimeMs > 0 ? `, think ${thinkTimeMs / 1000} s` : ''}: ${base.name})`,
    size: base.size === Infinity ? Infinity : Math.floor(base.size / turns),
    turns,
    thinkTimeMs,
    turnCount: () => turns,
    userTurn,
    /**
     * The session's last and longest request, with each earlier answer stood in for by one space per output token:
     * what sizes the embedded engine's context (it bounds tokens by bytes). Conversations are sent turn by turn.
     */
    spec(index: number): RequestSpec {
      const users = Array.from({ length: turns }, (_, t) => userTurn(index, t));
      const answers = users.slice(0, -1).reduce((n, u) => n + (u.max_tokens ?? 512), 0);
      const last = users[turns - 1]!;
      return {
        prompt: `${users.map((u) => u.content).join('\n')}${' '.repeat(answers)}`,
        max_tokens: last.max_tokens,
        exact_output: last.exact_output,
        input_tokens: users.reduce((n, u) => n + u.tokens, 0) + answers,
      };
    },
  };
}

export function isConversationWorkload(w: Workload): w is ConversationWorkload {
  return (w as Partial<ConversationWorkload>).kind === 'conversation';
}

/**
 * ShareGPT conversations kept whole: conversation s is an entry (in a seeded order), each of its user turns sent with
 * the history, asking for as many tokens as the dataset's answer to that turn had.
 */
export function createDatasetConversations(
  name: string,
  entries: readonly DatasetEntry[],
  options: { seed: number; exactOutput: boolean; thinkTimeMs: number; nonce?: string },
): ConversationWorkload {
  const convs = entries.filter((e) => e.turns && e.turns.length > 0).map((e) => e.turns!);
  if (convs.length === 0) throw new RangeError('no conversation with a user turn followed by an answer');
  const order = shuffledOrder(convs.length, options.seed);
  const conv = (session: number): Array<{ user: string; answer: string }> => convs[order[session % convs.length]!]!;
  const lead = options.nonce ? `Run ${options.nonce}:\n` : '';
  const turns = convs.reduce((n, c) => Math.max(n, c.length), 0);
  const userTurn = (session: number, turn: number): UserTurn => {
    const t = conv(session)[turn]!;
    const content = turn === 0 ? lead + t.user : t.user;
    const max = Math.max(1, countTokens(t.answer));
    return { content, tokens: countTokens(content), max_tokens: max, exact_output: options.exactOutput };
  };
  return {
    kind: 'conversation',
    name: `conversations(${name}${options.thinkTimeMs > 0 ? `, think ${options.thinkTimeMs / 1000} s` : ''})`,
    size: convs.length,
    turns,
    thinkTimeMs: options.thinkTimeMs,
    turnCount: (session) => conv(session).length,
    userTurn,
    spec(index: number): RequestSpec {
      const c = conv(index);
      const users = c.map((t) => t.user).join('\n');
      const answers = c.slice(0, -1).reduce((n, t) => n + countTokens(t.answer), 0);
      const last = userTurn(index, c.length - 1);
      return { prompt: `${users}${' '.repeat(answers)}`, max_tokens: last.max_tokens, exact_output: last.exact_output, input_tokens: countTokens(users) + answers };
    },
  };
}
