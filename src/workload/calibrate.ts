/**
 * Exact-length prompts on the server's own tokenizer: synthetic prompts are sized in client (o200k_base) tokens,
 * which another model's tokenizer counts differently (the embedded engine's generated tokenizer 2-3x more).
 * Calibration counts a sample of prompts on the server's /tokenize, scales the prompts by the ratio, checks the
 * result and corrects once, so `--input-tokens 256` means about 256 of the server's tokens.
 */
import type { Workload } from './spec.js';

export interface Calibration {
  /** The endpoint and its shape (vllm, llamacpp, tgi). */
  endpoint: string;
  kind: string;
  /** Server tokens per client token on the uncalibrated sample. */
  ratio: number;
  /** Client tokens per target token the calibrated prompts are built with. */
  scale: number;
  /** Server tokens over target tokens on a check sample after calibration, minus 1, in percent. */
  error_pct: number;
  /** Tokens the server's chat template adds to every prompt (0 when unknown or for completions). */
  template_tokens: number;
}

/** Prompts counted to find the ratio, and to check the calibrated prompts. */
const SAMPLE = 8;
const CHECK = 6;
/** Residual error worth one correction. */
const CORRECT_ABOVE = 0.02;

/**
 * @param make builds the synthetic workload with a given scale (undefined: uncalibrated)
 * @param count the server's token count of a text
 * @example const { workload, calibration } = await calibrateWorkload((s) => createSyntheticWorkload({ ...o, inputScale: s }), tok.count, tok)
 */
export async function calibrateWorkload(
  make: (scale: number | undefined, offset: number) => Workload,
  count: (text: string) => Promise<number>,
  endpoint: { url: string; kind: string },
  templateTokens = 0,
): Promise<{ workload: Workload; calibration: Calibration }> {
  // Text tokens are measured on the bare text; the check adds the template's share, as the server's usage will.
  const measure = async (w: Workload, from: number, n: number, withTemplate: boolean): Promise<{ server: number; target: number }> => {
    const specs = Array.from({ length: n }, (_, i) => w.spec(from + i));
    const counts = await Promise.all(specs.map((s) => count(s.prompt ?? s.messages?.map((m) => m.content).join('\n') ?? '')));
    const extra = withTemplate ? templateTokens * n : 0;
    return { server: counts.reduce((a, b) => a + b, 0) + extra, target: specs.reduce((a, s) => a + s.input_tokens, 0) };
  };
  const raw = await measure(make(undefined, 0), 0, SAMPLE, false);
  const ratio = raw.server / raw.target;
  let scale = 1 / ratio;
  let workload = make(scale, templateTokens);
  let check = await measure(workload, SAMPLE, CHECK, true);
  let error = check.server / check.target - 1;
  // Fixed parts (the nonce line, headers) do not scale, so one correction may leave a few percent: allow two.
  for (let round = 0; round < 2 && Math.abs(error) > CORRECT_ABOVE; round++) {
    scale /= 1 + error;
    workload = make(scale, templateTokens);
    check = await measure(workload, SAMPLE + CHECK * (round + 1), CHECK, true);
    error = check.server / check.target - 1;
  }
  return { workload, calibration: { endpoint: endpoint.url, kind: endpoint.kind, ratio, scale, error_pct: 100 * error, template_tokens: templateTokens } };
}
