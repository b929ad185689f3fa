import { statSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import type { ModelShape } from './roofline.js';

/**
 * A model's shape from a GGUF file's metadata (read by node-llama-cpp's GGUF reader, from the file only, never the
 * network): layers, widths, heads, vocabulary and experts of its architecture, and the bytes per weight its
 * quantization really takes (tensor data over parameters), so the roofline moves the bytes a llama.cpp server moves.
 */
export async function modelFromGguf(path: string): Promise<ModelShape> {
  const { readGgufFileInfo } = await import('node-llama-cpp');
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false, ignoreKeys: ['tokenizer.ggml.merges', 'tokenizer.ggml.token_type', 'tokenizer.ggml.scores'] });
  } catch (err) {
    throw new ConfigError('--model', `--model: cannot read ${path} as a GGUF file: ${(err as Error).message}`, { cause: err });
  }
  const a = info.architectureMetadata;
  const need = (v: number | undefined, key: string): number => {
    if (typeof v === 'number' && v > 0) return v;
    throw new ConfigError('--model', `${path}: the GGUF metadata has no ${info.metadata.general?.architecture ?? '?'}.${key}`);
  };
  const hidden = need(a.embedding_length, 'embedding_length');
  const heads = need(a.attention?.head_count, 'attention.head_count');
  const kvRaw = a.attention?.head_count_kv;
  const kvHeads = Array.isArray(kvRaw) ? Math.max(...kvRaw) : (kvRaw ?? heads);
  const tokens = (info.metadata.tokenizer as { ggml?: { tokens?: readonly string[] } } | undefined)?.ggml?.tokens;
  const vocab = a.vocab_size ?? tokens?.length;
  const tensors = info.fullTensorInfo ?? info.tensorInfo ?? [];
  const shape: ModelShape = {
    name: info.metadata.general?.name ?? path,
    layers: need(a.block_count, 'block_count'),
    hidden,
    heads,
    kv_heads: kvHeads,
    head_dim: a.attention?.key_length ?? hidden / heads,
    intermediate: need(a.feed_forward_length, 'feed_forward_length'),
    vocab: need(vocab, 'vocab_size'),
    tied_embeddings: !tensors.some((t) => t.name === 'output.weight'),
  };
  if (typeof a.expert_count === 'number' && a.expert_count > 1) {
    shape.experts = a.expert_count;
    shape.experts_per_token = a.expert_used_count ?? 2;
  }
  // Bytes per weight as stored: the tensor data (the file after its header) over the parameters the tensors hold.
  const params = tensors.reduce((s, t) => s + t.dimensions.reduce<number>((p, d) => p * Number(d), 1), 0);
  const dataBytes = info.infoEndOffset !== undefined ? statSync(path).size - info.infoEndOffset : 0;
  if (params > 0 && dataBytes > 0) shape.bytes_per_weight = dataBytes / params;
  return shape;
}
