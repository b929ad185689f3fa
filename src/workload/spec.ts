/** A request the workload wants sent: API-neutral; the client turns it into a chat or completions body. */
export interface RequestSpec {
  /** Plain prompt (completions API, or a single user message for chat). */
  prompt?: string;
  /** Chat messages (chat API). When only `prompt` is set, chat sends [{role:'user', content: prompt}]. */
  messages?: Array<{ role: string; content: string }>;
  /** Output tokens to ask for (max_tokens); null lets the server decide. */
  max_tokens: number | null;
  /** When true, ask the server to generate exactly max_tokens (ignore_eos/min_tokens where accepted). */
  exact_output: boolean;
  /** Prompt length by the client tokenizer (or the dataset's stated length). */
  input_tokens: number;
  /** Reference answers from the dataset: the answer is scored against them (exact match, F1, ROUGE-L). */
  references?: string[];
  /** Keep the answer's text in the record (a conversation carries it into the next turn). */
  keep_text?: boolean;
}

/** A workload yields the spec of request i deterministically (same seed, same i, same spec). */
export interface Workload {
  readonly name: string;
  /** Number of distinct specs, or Infinity for generators (synthetic). */
  readonly size: number;
  spec(index: number): RequestSpec;
}
