import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kvBytesPerToken, parameterCounts, roofline } from '../src/analysis/roofline.js';
import { findGpu, findModel } from '../src/analysis/roofline-tables.js';
import { runCli } from './support/cli.js';

const near = (actual: number, expected: number, rel: number, what: string): void =>
  assert.ok(Math.abs(actual / expected - 1) <= rel, `${what}: ${actual} vs ${expected}`);

test('Llama-3.1-8B in BF16 on one H100 SXM: 131,072 KV bytes per token, batch-1 decode bound near 4.8 ms', () => {
  const m = findModel('llama-3.1-8b');
  // Per layer: attention 4096x4096 x2 + 4096x1024 x2, SwiGLU 3 x 4096 x 14336; embeddings and LM head 128256 x 4096 each.
  assert.equal(parameterCounts(m).total, 32 * (2 * 4096 * 4096 + 2 * 4096 * 1024 + 3 * 4096 * 14336) + 2 * 128256 * 4096);
  assert.equal(kvBytesPerToken(m, 'bf16'), 131_072);
  const r = roofline({ model: m, gpu: findGpu('h100-sxm'), tp: 1, dtype: 'bf16', kvDtype: 'bf16', batch: 1, promptTokens: 1000, context: 1000 });
  assert.equal(r.weight_bytes, 2 * 8_029_995_008);
  // (16.06 GB of weights + 1,000 x 131,072 bytes of KV) / 3.35 TB/s.
  near(r.tpot_min_ms, ((16_059_990_016 + 1000 * 131_072) / 3.35e12) * 1000, 1e-9, 'TPOT bound');
  assert.ok(r.tpot_min_ms > 4.7 && r.tpot_min_ms < 4.9);
  assert.equal(r.decode_bound, 'memory');
  // Compute-bound only at a large batch; ~250 sequences in the usual back-of-envelope.
  assert.ok(r.ridge_batch! > 100 && r.ridge_batch! < 400, `ridge ${r.ridge_batch}`);
  // 90% of 80 GB minus 16 GB of weights, 131 MB of KV per 1,000-token sequence.
  assert.equal(r.max_batch_in_memory, Math.floor((0.9 * 80e9 - 16_059_990_016) / (1000 * 131_072)));
  // FP8 weights halve the bytes and so about halve the decode bound.
  const fp8 = roofline({ model: m, gpu: findGpu('h100-sxm'), tp: 1, dtype: 'fp8', kvDtype: 'bf16', batch: 1, promptTokens: 1000, context: 1000 });
  near(fp8.tpot_min_ms, ((8_029_995_008 + 1000 * 131_072) / 3.35e12) * 1000, 1e-9, 'FP8 TPOT bound');
});

test('MoE (Mixtral-8x7B): all experts in memory, two read per token at batch 1, more as the batch grows', () => {
  const m = findModel('mixtral-8x7b');
  const c = parameterCounts(m);
  const attn = 2 * 4096 * 4096 + 2 * 4096 * 1024;
  const expert = 3 * 4096 * 14336;
  assert.equal(c.total, 32 * (attn + 8 * expert + 4096 * 8) + 2 * 32000 * 4096);
  assert.equal(c.active, 32 * (attn + 2 * expert + 4096 * 8) + 2 * 32000 * 4096);
  const gpu = findGpu('h100-sxm');
  const b1 = roofline({ model: m, gpu, tp: 2, dtype: 'bf16', kvDtype: 'bf16', batch: 1, promptTokens: 100, context: 100 });
  near(b1.bytes_per_decode_step, 2 * c.active + 100 * kvBytesPerToken(m, 'bf16'), 1e-12, 'batch-1 bytes');
  const b16 = roofline({ model: m, gpu, tp: 2, dtype: 'bf16', kvDtype: 'bf16', batch: 16, promptTokens: 100, context: 100 });
  // 16 tokens touch 8 x (1 - (6/8)^16) = 7.92 of the 8 experts per layer: nearly all weights.
  const touched = 8 * (1 - 0.75 ** 16);
  near(b16.bytes_per_decode_step, 2 * (c.total - 32 * (8 - touched) * expert) + 16 * 100 * kvBytesPerToken(m, 'bf16'), 1e-9, 'batch-16 bytes');
});

test('MLA (DeepSeek-V3): a compressed KV cache of 576 values per layer; 671B parameters, about 37B active', () => {
  const m = findModel('deepseek-v3');
  assert.equal(kvBytesPerToken(m, 'bf16'), 61 * (512 + 64) * 2);
  const c = parameterCounts(m);
  near(c.total, 671e9, 0.01, 'total parameters');
  near(c.active, 37e9, 0.03, 'active parameters');
  const r = roofline({ model: m, gpu: findGpu('h200'), tp: 8, dtype: 'fp8', kvDtype: 'bf16', batch: 1, promptTokens: 1000, context: 1000 });
  assert.ok(r.weight_bytes > 660e9 && r.weight_bytes < 680e9, `${r.weight_bytes} bytes of FP8 weights`);
});

test('a Hugging Face config.json gives the same model as the table; the CLI prints JSON, lists its tables and names typos', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-roofline-'));
  try {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ _name_or_path: 'meta-llama/Llama-3.1-8B', hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 14336, vocab_size: 128256, tie_word_embeddings: false }));
    assert.equal(parameterCounts(findModel(config)).total, parameterCounts(findModel('llama-3.1-8b')).total);
    const r = await runCli(['roofline', '--model', config, '--gpu', 'h100-sxm', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    for (const key of ['parameters', 'weight_bytes', 'flops_per_prefill_token', 'flops_per_decode_token', 'kv_bytes_per_token', 'bytes_per_decode_step', 'ridge_batch', 'ttft_min_ms', 'tpot_min_ms', 'max_batch_in_memory', 'best_case_output_tokens_per_s']) {
      assert.ok(key in doc, key);
    }
    assert.equal(doc.kv_bytes_per_token, 131_072);
    const list = await runCli(['roofline', '--list']);
    assert.match(list.stdout, /llama-3\.1-70b/);
    assert.match(list.stdout, /mi300x/);
    const typo = await runCli(['roofline', '--model', 'llama-3.1-8b', '--gpu', 'h100-sxn']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /did you mean h100-sxm/);
    const text = await runCli(['roofline', '--model', 'llama-3.1-70b', '--gpu', 'a100-80gb', '--tp', '4', '--batch', '32']);
    assert.match(text.stdout, /TPOT >= [\d.]+ ms \(memory-bound\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('efficiency of a measured run: half the bound is 50% MBU in decode and 50% MFU in prefill', async () => {
  const { runEfficiency } = await import('../src/analysis/roofline.js');
  const base = { model: findModel('llama-3.1-8b'), gpu: findGpu('h100-sxm'), tp: 1, dtype: 'bf16', kvDtype: 'bf16' } as const;
  const bound = roofline({ ...base, batch: 1, promptTokens: 1000, context: 1000 });
  const e = runEfficiency(base, { batch: 1, promptTokens: 1000, outputTokens: 0, tpotMs: 2 * bound.tpot_min_ms, ttftMs: 2 * bound.ttft_min_ms });
  near(e.mbu, 0.5, 1e-9, 'MBU');
  near(e.mfu, 0.5, 1e-9, 'MFU');
});

test('roofline --model FILE.gguf reads the shape from the GGUF metadata and the stored bytes per weight', async () => {
  const { writeLlamaGguf } = await import('../src/engine/gguf/llama-model.js');
  const { PRESETS } = await import('../src/engine/gguf/presets.js');
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-gguf-'));
  try {
    const path = join(dir, 'medium.gguf');
    const p = PRESETS.medium;
    await writeLlamaGguf(path, p, 1, 'gguf-shape-test');
    const r = await runCli(['roofline', '--model', path, '--gpu', 'l4', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { model: string; parameters: { total: number }; weight_bytes: number; kv_bytes_per_token: number };
    assert.equal(out.model, 'gguf-shape-test');
    // KV: 2 (K and V) x layers x KV heads x head dim x 2 bytes (BF16 cache).
    assert.equal(out.kv_bytes_per_token, 2 * p.nLayer * p.nHeadKv * (p.nEmbd / p.nHead) * 2);
    // F16 matrices, F32 norms: a little over 2 bytes per weight, as the file stores them.
    const perWeight = out.weight_bytes / out.parameters.total;
    assert.ok(perWeight > 1.99 && perWeight < 2.1, `bytes per weight ${perWeight}`);
    const bad = await runCli(['roofline', '--model', join(dir, 'missing.gguf'), '--gpu', 'l4']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /cannot read .*missing\.gguf as a GGUF file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
