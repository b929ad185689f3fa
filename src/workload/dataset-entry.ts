/**
 * One usable dataset record, as parsed from JSONL or ShareGPT, before token counting. Token counts
 * are computed later (and memoised) because tokenizing a large dataset up front can take seconds.
 */
export interface DatasetEntry {
  prompt?: string;
  messages?: Array<{ role: string; content: string }>;
  /** Output tokens stated by the dataset; null when neither stated nor derivable. */
  maxTokens: number | null;
  /** A reference answer whose token length becomes max_tokens (ShareGPT). */
  answer?: string;
  /** Every user turn of a ShareGPT conversation with the answer that followed it (for --conversations). */
  turns?: Array<{ user: string; answer: string }>;
  /** Reference answers to score the output against (`reference` or `references` in JSONL). */
  references?: string[];
}

/** The outcome of reading a dataset file. */
export interface DatasetEntries {
  entries: DatasetEntry[];
  /** Records not used: malformed ones skipped on request, and incomplete ShareGPT conversations. */
  skipped: number;
  warnings: string[];
}

/** How many individual bad-record messages a loader reports before summarising the rest. */
export const MAX_LISTED_PROBLEMS = 5;
