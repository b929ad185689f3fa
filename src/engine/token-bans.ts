import type { LlamaModel, Token, TokenBias } from 'node-llama-cpp';

/** Byte values a generated model may emit: printable ASCII, tab, newline. */
const isTextByte = (b: number): boolean => b === 0x09 || b === 0x0a || (b >= 0x20 && b < 0x7f);

/**
 * Tokens never sampled besides BOS. For the generated random-weight models (general.name "inferscope-*"), raw
 * bytes are picked as often as words; banning non-text bytes and <unk> keeps every token valid UTF-8 on its own,
 * so each streamed chunk is one readable token. Real models are left alone. Takes GGUF metadata, so the
 * in-process engine and llama-server (as --logit-bias) ban the same ids.
 */
export function bannedTokenIds(metadata: unknown): number[] {
  const meta = metadata as { general?: { name?: unknown }; tokenizer?: { ggml?: { tokens?: unknown } } };
  const pieces = meta.tokenizer?.ggml?.tokens;
  if (typeof meta.general?.name !== 'string' || !meta.general.name.startsWith('inferscope-') || !Array.isArray(pieces)) return [];
  const banned: number[] = [];
  pieces.forEach((piece: unknown, id) => {
    if (piece === '<unk>') banned.push(id);
    const byte = typeof piece === 'string' ? /^<0x([0-9A-F]{2})>$/.exec(piece) : null;
    if (byte && !isTextByte(parseInt(byte[1]!, 16))) banned.push(id);
  });
  return banned;
}

/** Tokens the in-process engine never samples: BOS and bannedTokenIds. */
export function bannedTokens(model: LlamaModel): Token[] {
  const banned = bannedTokenIds(model.fileInfo.metadata) as Token[];
  return model.tokens.bos !== null ? [model.tokens.bos, ...banned] : banned;
}

/**
 * TokenBias.set() skips end-of-generation tokens by design, so ignore_eos and min_tokens write the EOS ban
 * into its bias map directly; the sampler applies the map as given.
 */
export function banEogToken(bias: TokenBias, eos: Token | null): void {
  const biases = (bias as unknown as { _biases?: unknown })._biases;
  if (eos !== null && biases instanceof Map) biases.set(eos, -Infinity);
}
