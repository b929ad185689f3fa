import type { InferenceClient } from '../client/types.js';
import type { Clock } from '../measure/clock.js';
import type { RequestRecord } from '../measure/record.js';
import type { SendFn } from '../load/types.js';
import { countTokens } from '../text/tokenizer.js';
import type { ConversationWorkload } from '../workload/conversation.js';

/**
 * Sends a conversation turn by turn: each turn carries the history (earlier user turns and the server's own answers),
 * and goes out a think time after the previous answer ended (its t_sched). A failed or aborted turn ends the
 * conversation. Records are numbered session x turns + turn and say their session, turn and history tokens.
 */
export function conversationSender(
  workload: ConversationWorkload,
  client: InferenceClient,
  clock: Clock,
  opts: { specBase: number; saveText: boolean },
): SendFn {
  const T = workload.turns;
  return async (req, signal, emit) => {
    const session = opts.specBase + req.index;
    const count = workload.turnCount(session);
    const history: Array<{ role: string; content: string }> = [];
    let historyTokens = 0;
    let tSched = req.t_sched;
    for (let turn = 0; ; turn++) {
      const user = workload.userTurn(session, turn);
      const record: RequestRecord = await client.send(
        {
          messages: [...history, { role: 'user', content: user.content }],
          max_tokens: user.max_tokens,
          exact_output: user.exact_output,
          input_tokens: historyTokens + user.tokens,
          keep_text: true,
        },
        { index: req.index * T + turn, warmup: req.warmup, t_sched: tSched, signal },
      );
      record.session = req.index;
      record.turn = turn;
      record.session_turns = count;
      record.history_tokens = historyTokens;
      const answer = record.output_text ?? '';
      if (!opts.saveText) delete record.output_text;
      if (turn === count - 1 || !record.ok || signal.aborted) return record;
      // Stopped while thinking: the conversation ends with this turn.
      if (workload.thinkTimeMs > 0 && !(await pause(workload.thinkTimeMs, signal))) return record;
      emit(record);
      history.push({ role: 'user', content: user.content }, { role: 'assistant', content: answer });
      historyTokens += user.tokens + countTokens(answer);
      tSched = clock.now();
    }
  };
}

/** Resolves true after `ms`, false as soon as the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
