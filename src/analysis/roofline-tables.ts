/** The shipped model and GPU tables (data files with their sources), and models read from a Hugging Face config.json. */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { GpuSpec, ModelShape } from './roofline.js';

function table<T>(file: string): Record<string, T> {
  const raw = JSON.parse(readFileSync(new URL(`./data/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('_'))) as Record<string, T>;
}

export const modelTable = (): Record<string, Omit<ModelShape, 'name'> & { name: string }> => table('models.json');
export const gpuTable = (): Record<string, GpuSpec> => table('gpus.json');

export function findGpu(name: string): GpuSpec {
  const gpus = gpuTable();
  const g = gpus[name.toLowerCase()];
  if (!g) throw new ConfigError('--gpu', `--gpu: unknown GPU "${name}"${didYouMean(name.toLowerCase(), Object.keys(gpus))} (inferscope roofline --list; or give --bandwidth, --flops and --memory)`);
  return g;
}

/** A model by table name, or from a config.json path (dense, MoE and MLA configs of Llama, Qwen, Mixtral, DeepSeek). */
/** A model by table name, Hugging Face config.json or GGUF file. */
export async function loadModel(ref: string): Promise<ModelShape> {
  if (ref.toLowerCase().endsWith('.gguf')) {
    const { modelFromGguf } = await import('./gguf-model.js');
    return modelFromGguf(ref);
  }
  return findModel(ref);
}

export function findModel(ref: string): ModelShape {
  if (ref.endsWith('.json')) return modelFromConfig(ref);
  const models = modelTable();
  const m = models[ref.toLowerCase()];
  if (!m) throw new ConfigError('--model', `--model: unknown model "${ref}"${didYouMean(ref.toLowerCase(), Object.keys(models))} (inferscope roofline --list; or a Hugging Face config.json or a .gguf file)`);
  return m;
}

export function modelFromConfig(path: string): ModelShape {
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError('--model', `--model: cannot read ${path} as JSON: ${(err as Error).message}`, { cause: err });
  }
  const num = (key: string, fallback?: number): number => {
    const v = c[key];
    if (typeof v === 'number' && v > 0) return v;
    if (fallback !== undefined) return fallback;
    throw new ConfigError('--model', `${path}: "${key}" is missing (a Hugging Face config.json of a decoder model is expected)`);
  };
  const hidden = num('hidden_size');
  const heads = num('num_attention_heads');
  const experts = (c.num_local_experts ?? c.n_routed_experts) as number | undefined;
  const shape: ModelShape = {
    name: typeof c._name_or_path === 'string' ? c._name_or_path : path,
    layers: num('num_hidden_layers'),
    hidden,
    heads,
    kv_heads: num('num_key_value_heads', heads),
    head_dim: num('head_dim', hidden / heads),
    intermediate: num('intermediate_size'),
    vocab: num('vocab_size'),
    tied_embeddings: c.tie_word_embeddings === true,
  };
  if (typeof experts === 'number' && experts > 1) {
    shape.experts = experts;
    shape.experts_per_token = num('num_experts_per_tok', 2);
    if (typeof c.n_shared_experts === 'number') shape.shared_experts = c.n_shared_experts;
    if (typeof c.moe_intermediate_size === 'number') shape.moe_intermediate = c.moe_intermediate_size;
    if (typeof c.first_k_dense_replace === 'number') shape.dense_layers = c.first_k_dense_replace;
  }
  if (typeof c.kv_lora_rank === 'number') {
    shape.mla = {
      kv_lora_rank: c.kv_lora_rank,
      ...(typeof c.q_lora_rank === 'number' ? { q_lora_rank: c.q_lora_rank } : {}),
      qk_nope_head_dim: num('qk_nope_head_dim'),
      qk_rope_head_dim: num('qk_rope_head_dim'),
      v_head_dim: num('v_head_dim'),
    };
  }
  return shape;
}
