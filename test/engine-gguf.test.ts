import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureModel } from '../src/engine/model-cache.js';
import { PRESETS, parsePresetName } from '../src/engine/gguf/presets.js';
import { buildSpmVocab, TokenType } from '../src/engine/gguf/spm-vocab.js';
import { toHalfBits } from '../src/engine/gguf/half.js';

const sha256 = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');

test('ensureModel: same seed gives the same bytes, another seed different bytes, cached after first call', async () => {
  const dirA = await mkdtemp(join(tmpdir(), 'engine-gguf-a-'));
  const dirB = await mkdtemp(join(tmpdir(), 'engine-gguf-b-'));
  try {
    const a = await ensureModel('tiny', { cacheDir: dirA, seed: 7 });
    const b = await ensureModel('tiny', { cacheDir: dirB, seed: 7 });
    const c = await ensureModel('tiny', { cacheDir: dirB, seed: 8 });
    assert.equal(await sha256(a), await sha256(b));
    assert.notEqual(await sha256(b), await sha256(c));
    const size = (await stat(a)).size;
    assert.ok(size > 1.5e6 && size < 3e6, `tiny is ~2 MB, got ${size}`);
    const mtime = (await stat(a)).mtimeMs;
    assert.equal(await ensureModel('tiny', { cacheDir: dirA, seed: 7 }), a);
    assert.equal((await stat(a)).mtimeMs, mtime, 'second call reuses the cached file');
    assert.deepEqual((await readdir(dirA)).filter((f) => f.endsWith('.tmp')), [], 'no temp files left behind');
  } finally {
    await rm(dirA, { recursive: true, force: true });
    await rm(dirB, { recursive: true, force: true });
  }
});

test('generated GGUF parses with node-llama-cpp and carries the llama keys, tokenizer and tensors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'engine-gguf-'));
  try {
    const path = await ensureModel('tiny', { cacheDir: dir });
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const info = await readGgufFileInfo(path, { logWarnings: false });
    assert.equal(info.version, 3);
    const md = info.metadata as unknown as {
      general: { architecture: string; alignment: number };
      llama: Record<string, unknown> & { attention: Record<string, unknown>; rope: Record<string, unknown> };
      tokenizer: { ggml: { model: string; tokens: string[]; scores: number[]; token_type: number[]; bos_token_id: number; eos_token_id: number } };
    };
    const shape = PRESETS.tiny;
    assert.equal(md.general.architecture, 'llama');
    assert.equal(md.general.alignment, 32);
    assert.equal(md.llama.context_length, shape.contextLength);
    assert.equal(md.llama.embedding_length, shape.nEmbd);
    assert.equal(md.llama.block_count, shape.nLayer);
    assert.equal(md.llama.feed_forward_length, shape.nFf);
    assert.equal(md.llama.attention.head_count, shape.nHead);
    assert.equal(md.llama.attention.head_count_kv, shape.nHeadKv);
    assert.equal(md.llama.rope.dimension_count, shape.nEmbd / shape.nHead);
    assert.equal(md.tokenizer.ggml.model, 'llama');
    assert.equal(md.tokenizer.ggml.tokens.length, shape.nVocab);
    assert.equal(md.tokenizer.ggml.bos_token_id, 1);
    assert.equal(md.tokenizer.ggml.eos_token_id, 2);
    const names = new Set(info.fullTensorInfo?.map((t) => t.name));
    for (const n of ['token_embd.weight', 'output_norm.weight', 'output.weight', 'blk.0.attn_q.weight', 'blk.1.ffn_down.weight']) {
      assert.ok(names.has(n), `tensor ${n}`);
    }
    assert.equal(names.size, 3 + 9 * shape.nLayer);
    for (const t of info.fullTensorInfo ?? []) assert.equal(Number(t.offset) % 32, 0, `${t.name} aligned`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('SPM vocab: specials, 256 byte tokens, unique pieces with prefixes present', () => {
  const v = buildSpmVocab(1024);
  assert.equal(v.tokens.length, 1024);
  assert.deepEqual(v.tokens.slice(0, 3), ['<unk>', '<s>', '</s>']);
  assert.equal(v.tokens[v.byteBase + 0x0a], '<0x0A>');
  assert.equal(v.tokenTypes[v.byteBase + 0xff], TokenType.BYTE);
  assert.equal(new Set(v.tokens).size, v.tokens.length);
  const set = new Set(v.tokens);
  for (const t of v.tokens) {
    if (v.tokenTypes[v.tokens.indexOf(t)] !== TokenType.NORMAL || [...t].length < 2) continue;
    assert.ok(set.has(t.slice(0, -1)), `prefix of ${t} reachable`);
  }
  assert.throws(() => buildSpmVocab(100), /vocab size/);
});

test('F16 conversion rounds to nearest and handles specials', () => {
  assert.equal(toHalfBits(0), 0);
  assert.equal(toHalfBits(1), 0x3c00);
  assert.equal(toHalfBits(-2), 0xc000);
  assert.equal(toHalfBits(65504), 0x7bff);
  assert.equal(toHalfBits(1e6), 0x7c00);
  assert.equal(toHalfBits(Number.NaN) & 0x7c00, 0x7c00);
  assert.equal(toHalfBits(5.960464477539063e-8), 0x0001); // smallest subnormal
  assert.equal(toHalfBits(0.1), 0x2e66);
});

test('parsePresetName names the allowed values', () => {
  assert.equal(parsePresetName('small'), 'small');
  assert.throws(() => parsePresetName('huge'), /allowed: tiny, small, medium/);
});
