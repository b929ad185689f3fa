import { randomBytes } from 'node:crypto';
import { countTokens } from '../../text/tokenizer.js';
import { fixedLength } from '../../workload/length-spec.js';
import type { RequestSpec, Workload } from '../../workload/spec.js';
import { createSyntheticWorkload } from '../../workload/synthetic.js';

/** A nonce line costs about this many tokens; the synthetic body makes up the rest of the prompt. */
const NONCE_TOKENS_BUDGET = 8;

/**
 * Prompts for one probe definition: a first line with a fresh random nonce, so no prompt or response cache can
 * answer a probe, then synthetic text (the same generator bench uses) to reach the configured length.
 * `input_tokens` of the spec is the exact client-tokenizer count of the whole prompt.
 */
export function createProbePrompts(inputTokens: number, outputTokens: number): (index: number) => RequestSpec & { nonce: string } {
  const body: Workload = createSyntheticWorkload({
    inputTokens: fixedLength(Math.max(1, inputTokens - NONCE_TOKENS_BUDGET)),
    outputTokens: fixedLength(outputTokens),
    seed: randomBytes(4).readUInt32LE(0),
    exactOutput: false,
  });
  return (index) => {
    const nonce = randomBytes(8).toString('hex');
    const spec = body.spec(index);
    const prompt = `Probe ${nonce}.\n${spec.prompt ?? ''}`;
    return { ...spec, prompt, input_tokens: countTokens(prompt), nonce };
  };
}
