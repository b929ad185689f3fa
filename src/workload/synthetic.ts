/**
 * Synthetic workload: prompts of readable English with a target token length, cut from the bundled
 * corpus. spec(i) depends only on (seed, i), so any index can be generated on its own (random access,
 * shardable across workers) and reruns with the same seed send the same prompts.
 *
 * Each prompt begins (after the optional shared prefix) with a short line unique to the index,
 * `Excerpt <i> (<tag>):`, followed by corpus text from a per-index offset. The distinct opening line
 * and offset keep prefix caches from matching beyond the shared prefix, so cache hits reflect only
 * what the user chose to share. Prompts shorter than that line plus one token omit it.
 */
import { randomInt } from 'node:crypto';
import { forkRng } from '../util/rng.js';
import { corpusIndex, sliceCorpus } from './corpus-index.js';
import type { CorpusIndex } from './corpus-index.js';
import type { LengthDistribution } from './length-spec.js';
import type { RequestSpec, Workload } from './spec.js';
import { countTokens } from '../text/tokenizer.js';

export interface SyntheticWorkloadOptions {
  /** Prompt length in client-tokenizer tokens (prefix included). */
  inputTokens: LengthDistribution;
  /** Output length to request as max_tokens; null leaves it to the server. */
  outputTokens: LengthDistribution | null;
  seed: number;
  /** Ask the server to generate exactly max_tokens (only meaningful with outputTokens). */
  exactOutput: boolean;
  /** Text shared by every prompt (e.g. a system-style preamble), to exercise prefix caching. */
  prefix?: string;
  /**
   * Shared-prefix groups for prefix-cache studies: each prompt opens with its group's prefix of `tokens` target
   * tokens (corpus text, different per group, fixed by the seed); a prompt's group is drawn uniformly per index.
   */
  prefixGroups?: { tokens: number; groups: number };
  /**
   * Six digits that open every prompt (`Run 123456:`), so no prompt cache can match a previous run's prompts;
   * the line always takes the same number of tokens, so lengths stay those of the seed. See `runNonce`.
   */
  nonce?: string;
  /**
   * Client tokens per target token, from calibration on the server's tokenizer (see calibrate.ts): prompts are
   * built to `round(target x inputScale)` client tokens so the server counts about `target`. Default 1.
   */
  inputScale?: number;
  /** Server tokens every prompt gets besides its text (a chat template), taken off the target before scaling. */
  inputOffset?: number;
}

/** A fresh per-run nonce: six digits, so the opening line's token count never varies. */
export function runNonce(): string {
  return String(randomInt(100_000, 1_000_000));
}

/**
 * A workload of synthetic prompts whose client-tokenizer length equals the sampled input length.
 * @example
 * const w = createSyntheticWorkload({ inputTokens: parseLengthSpec('512', '--input-tokens'),
 *   outputTokens: parseLengthSpec('128', '--output-tokens'), seed: 1, exactOutput: true });
 * w.spec(0) // { prompt: 'Excerpt 0 (...):\n The ...', input_tokens: 512, max_tokens: 128, exact_output: true }
 */
export function createSyntheticWorkload(options: SyntheticWorkloadOptions): Workload {
  const corpus = corpusIndex();
  // A trailing newline keeps the prefix's last token from merging with the line that follows it.
  const fixedPrefix = options.prefix ? (options.prefix.endsWith('\n') ? options.prefix : `${options.prefix}\n`) : '';
  if (options.nonce !== undefined && !/^\d{6}$/.test(options.nonce)) throw new RangeError(`nonce must be six digits, got ${options.nonce}`);
  const nonceLine = options.nonce ? `Run ${options.nonce}:\n` : '';
  const nonceTokens = countTokens(nonceLine);
  const groupPrefixes = options.prefixGroups ? buildGroupPrefixes(corpus, options.prefixGroups, options.seed >>> 0, options.inputScale) : null;
  const fixedPrefixTokens = countTokens(fixedPrefix);
  const seed = options.seed >>> 0;
  const out = options.outputTokens;
  const shared = options.prefixGroups ? `, prefix=${options.prefixGroups.tokens}x${options.prefixGroups.groups}` : '';
  const name = `synthetic(in=${options.inputTokens.text}, out=${out ? out.text : 'server'}${shared})`;

  return {
    name,
    size: Infinity,
    spec(index: number): RequestSpec {
      if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`spec index must be an integer >= 0, got ${index}`);
      const rng = forkRng(seed, `synthetic:${index}`);
      const wanted = options.inputTokens.sample(rng);
      const target = options.inputScale ? Math.max(1, Math.round((wanted - (options.inputOffset ?? 0)) * options.inputScale)) : wanted;
      const maxTokens = out ? out.sample(rng) : null;
      const tag = Math.floor(rng.next() * 36 ** 4).toString(36).padStart(4, '0');
      const offset = rng.int(0, corpus.size - 1);
      // Its own stream, so turning groups on leaves every other choice of the seed as it was.
      const group = groupPrefixes ? groupPrefixes[forkRng(seed, `prefix-group:${index}`).int(0, groupPrefixes.length - 1)]! : null;
      const prefix = group ? group.text + fixedPrefix : fixedPrefix;
      const prefixTokens = (group ? group.tokens : 0) + fixedPrefixTokens;

      // The nonce line goes first (it must differ from the first token on), when the prompt has room for it.
      const lead = nonceTokens > 0 && target - prefixTokens - nonceTokens >= 1 ? nonceLine : '';
      let prompt = lead + prefix;
      let inputTokens = prefixTokens + (lead ? nonceTokens : 0);
      const room = target - inputTokens;
      if (room > 0) {
        const header = `Excerpt ${index} (${tag}):\n`;
        const headerTokens = countTokens(header);
        const withHeader = room - headerTokens >= 1;
        const bodyTokens = withHeader ? room - headerTokens : room;
        prompt += (withHeader ? header : '') + corpusSlice(corpus, offset, bodyTokens);
        inputTokens = target;
      }
      // Calibrated prompts are sized for the server's tokenizer: their length in its tokens is the target.
      const length = options.inputScale ? wanted : inputTokens;
      return { prompt, max_tokens: maxTokens, exact_output: maxTokens !== null && options.exactOutput, input_tokens: length };
    },
  };
}

/**
 * `length` corpus tokens from near `offset`, starting and ending at pre-token boundaries so the text
 * re-encodes to exactly `length` tokens. A slice begins with " word", which cannot merge with the
 * header line (or prefix newline) before it.
 */
export function corpusSlice(corpus: CorpusIndex, offset: number, length: number): string {
  for (let step = 0; step < corpus.size; step++) {
    const start = (offset + step) % corpus.size;
    if (corpus.startable[start] === 1 && corpus.boundary[(start + length) % corpus.size] === 1) {
      return sliceCorpus(corpus, start, length);
    }
  }
  // Unreachable for prose (most tokens start a word); fall back to a plain slice.
  return sliceCorpus(corpus, offset, length);
}

/**
 * One prefix per group: a `Context <g>:` line (so groups differ from their first token) and corpus text from a
 * seeded offset, ending in a newline, `tokens` target tokens long (scaled to client tokens when calibrated).
 */
function buildGroupPrefixes(
  corpus: CorpusIndex,
  spec: { tokens: number; groups: number },
  seed: number,
  inputScale: number | undefined,
): Array<{ text: string; tokens: number }> {
  const wanted = Math.max(1, Math.round(spec.tokens * (inputScale ?? 1)));
  return Array.from({ length: spec.groups }, (_, g) => {
    const head = `Context ${g + 1}:\n`;
    const room = wanted - countTokens(head) - 1;
    const body = room > 0 ? corpusSlice(corpus, forkRng(seed, `prefix:${g}`).int(0, corpus.size - 1), room) : '';
    const text = `${head}${body}\n`;
    return { text, tokens: countTokens(text) };
  });
}
