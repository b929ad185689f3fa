import { forkRng } from '../../util/rng.js';
import { gv, writeGguf } from './gguf-writer.js';
import type { GgufTensor, GgufValue } from './gguf-writer.js';
import { toF16Bytes } from './half.js';
import type { ModelShape } from './presets.js';
import { buildSpmVocab } from './spm-vocab.js';

/**
 * Random-weight llama model: real compute, gibberish text. Weights are uniform with variance 1/fan_in
 * (so each projection roughly preserves activation scale) and norms are 1, which keeps the residual stream
 * and the logits finite for every preset.
 */

function randomMatrix(seed: number, name: string, dims: readonly [number, number], type: ModelShape['weightType']): Uint8Array {
  const [fanIn, rows] = dims;
  const rng = forkRng(seed, name);
  // Uniform(-a, a) has variance a^2/3; a = sqrt(3/fanIn) gives variance 1/fanIn.
  const a = Math.sqrt(3 / fanIn);
  const values = new Float32Array(fanIn * rows);
  for (let i = 0; i < values.length; i++) values[i] = (rng.next() * 2 - 1) * a;
  return type === 'F32' ? new Uint8Array(values.buffer) : toF16Bytes(values);
}

function ones(n: number): Uint8Array {
  return new Uint8Array(new Float32Array(n).fill(1).buffer);
}

/** The metadata table and tensor list for a model of the given shape. */
export function buildLlamaGguf(shape: ModelShape, seed: number, name: string): {
  metadata: Array<readonly [string, GgufValue]>;
  tensors: GgufTensor[];
} {
  const { nEmbd, nLayer, nHead, nHeadKv, nFf, nVocab, contextLength, weightType } = shape;
  if (nEmbd % nHead !== 0 || nHead % nHeadKv !== 0) {
    throw new RangeError(`bad shape: n_embd ${nEmbd} must divide by n_head ${nHead}, which must divide by n_head_kv ${nHeadKv}`);
  }
  const headDim = nEmbd / nHead;
  const nEmbdKv = headDim * nHeadKv;
  const vocab = buildSpmVocab(nVocab);

  const metadata: Array<readonly [string, GgufValue]> = [
    ['general.architecture', gv.str('llama')],
    ['general.name', gv.str(name)],
    ['general.alignment', gv.u32(32)],
    ['general.file_type', gv.u32(weightType === 'F32' ? 0 : 1)],
    ['llama.context_length', gv.u32(contextLength)],
    ['llama.embedding_length', gv.u32(nEmbd)],
    ['llama.block_count', gv.u32(nLayer)],
    ['llama.feed_forward_length', gv.u32(nFf)],
    ['llama.attention.head_count', gv.u32(nHead)],
    ['llama.attention.head_count_kv', gv.u32(nHeadKv)],
    ['llama.attention.layer_norm_rms_epsilon', gv.f32(1e-5)],
    ['llama.rope.dimension_count', gv.u32(headDim)],
    ['llama.rope.freq_base', gv.f32(10000)],
    ['llama.vocab_size', gv.u32(nVocab)],
    ['tokenizer.ggml.model', gv.str('llama')],
    ['tokenizer.ggml.tokens', gv.strs(vocab.tokens)],
    ['tokenizer.ggml.scores', gv.f32s(vocab.scores)],
    ['tokenizer.ggml.token_type', gv.i32s(vocab.tokenTypes)],
    ['tokenizer.ggml.unknown_token_id', gv.u32(vocab.unkId)],
    ['tokenizer.ggml.bos_token_id', gv.u32(vocab.bosId)],
    ['tokenizer.ggml.eos_token_id', gv.u32(vocab.eosId)],
    ['tokenizer.ggml.add_bos_token', gv.bool(true)],
    ['tokenizer.ggml.add_eos_token', gv.bool(false)],
  ];

  const matrix = (tensorName: string, fanIn: number, rows: number): GgufTensor => ({
    name: tensorName,
    dims: [fanIn, rows],
    type: weightType,
    data: () => randomMatrix(seed, tensorName, [fanIn, rows], weightType),
  });
  const norm = (tensorName: string): GgufTensor => ({ name: tensorName, dims: [nEmbd], type: 'F32', data: () => ones(nEmbd) });

  // Token embeddings have variance 1 (fan_in 1) so the first RMS norm sees unit-scale input.
  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [nEmbd, nVocab], type: weightType, data: () => randomMatrix(seed, 'token_embd.weight', [1, nEmbd * nVocab], weightType) },
  ];
  for (let l = 0; l < nLayer; l++) {
    const p = `blk.${l}.`;
    tensors.push(
      norm(`${p}attn_norm.weight`),
      matrix(`${p}attn_q.weight`, nEmbd, nEmbd),
      matrix(`${p}attn_k.weight`, nEmbd, nEmbdKv),
      matrix(`${p}attn_v.weight`, nEmbd, nEmbdKv),
      matrix(`${p}attn_output.weight`, nEmbd, nEmbd),
      norm(`${p}ffn_norm.weight`),
      matrix(`${p}ffn_gate.weight`, nEmbd, nFf),
      matrix(`${p}ffn_up.weight`, nEmbd, nFf),
      matrix(`${p}ffn_down.weight`, nFf, nEmbd),
    );
  }
  tensors.push(norm('output_norm.weight'), matrix('output.weight', nEmbd, nVocab));
  return { metadata, tensors };
}

/** Writes a random-weight llama GGUF for `shape` to `path`; same (shape, seed, name) gives the same bytes. */
export async function writeLlamaGguf(path: string, shape: ModelShape, seed: number, name: string): Promise<void> {
  const { metadata, tensors } = buildLlamaGguf(shape, seed, name);
  await writeGguf(path, { metadata, tensors, alignment: 32 });
}
