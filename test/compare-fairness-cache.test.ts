import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRuns } from '../src/compare/compare-runs.js';
import { fairnessWarnings } from '../src/compare/fairness.js';
import { formatCompare } from '../src/compare/format.js';
import { toLoadedRun } from '../src/compare/loaded-run.js';
import { simulatedRun, type SimulatedRunSpec } from './support/simulate-run.js';
import { buildResults } from '../src/results/results-document.js';
import { loadRun } from '../src/results/load-run.js';
import { promptCacheUse } from '../src/server-metrics/cache-use.js';
import type { ServerResults } from '../src/server-metrics/server-results.js';

const SPEC: SimulatedRunSpec = { seed: 1, requests: 200, concurrency: 4, ttftMs: 50, itlMs: 20, outputTokens: 16 };

/** The part of results.server the check reads, as a run against llama-server writes it. */
const server = (prompt: number | null, cached: number | null, hitRate: number | null = null) => ({
  engines: ['llamacpp'],
  tokens: { prompt, generation: 3200, prompt_cached: cached, prompt_computed: prompt !== null && cached !== null ? prompt - cached : null },
  prefix_cache_hit_rate: hitRate ?? (prompt && cached !== null ? cached / prompt : null),
});

test('compare warns when one run was served from the prompt cache and the other was not', () => {
  const base = simulatedRun(SPEC);
  const cand = simulatedRun({ ...SPEC, seed: 2 });
  // The case: the second identical run hit llama-server's prompt cache; the first only shared the template.
  base.results.server = server(51200, 1600);
  cand.results.server = server(51200, 40000);
  const w = fairnessWarnings(base.results, cand.results).find((x) => x.field === 'server.prompt_cache');
  assert.ok(w, 'a prompt-cache warning');
  assert.match(w.message, /served 3% of the base run's prompt tokens from its cache and 78% of the candidate's: the candidate run's TTFT/);
  assert.deepEqual(w.base, { share: 1600 / 51200, cached_tokens: 1600, prompt_tokens: 51200 });
  const text = formatCompare(compareRuns(base, cand, { resamples: 200 }), { color: false });
  assert.match(text, /prefix-cache hits differ/);

  // Both runs with a few template hits, or a server that cannot say: no warning.
  cand.results.server = server(51200, 2100);
  assert.equal(fairnessWarnings(base.results, cand.results).filter((x) => x.field === 'server.prompt_cache').length, 0);
  cand.results.server = server(null, null);
  assert.equal(fairnessWarnings(base.results, cand.results).filter((x) => x.field === 'server.prompt_cache').length, 0);
  delete cand.results.server;
  assert.equal(fairnessWarnings(base.results, cand.results).filter((x) => x.field === 'server.prompt_cache').length, 0);
  // Engines that only give a hit rate (TensorRT-LLM's gauge) are compared on it.
  base.results.server = { tokens: { prompt: 1000, generation: 10, prompt_cached: null, prompt_computed: null }, prefix_cache_hit_rate: 0.02 };
  cand.results.server = { tokens: { prompt: 1000, generation: 10, prompt_cached: null, prompt_computed: null }, prefix_cache_hit_rate: 0.6 };
  assert.ok(fairnessWarnings(base.results, cand.results).some((x) => x.field === 'server.prompt_cache'));
});

test('promptCacheUse reads stored server sections of any age', () => {
  assert.deepEqual(promptCacheUse(undefined), { share: null, cached_tokens: null, prompt_tokens: null });
  assert.deepEqual(promptCacheUse({ tokens: { prompt: 100, generation: 5 } }), { share: null, cached_tokens: null, prompt_tokens: 100 });
  assert.deepEqual(promptCacheUse({ tokens: { prompt: 0, prompt_cached: 0 }, prefix_cache_hit_rate: null }), { share: null, cached_tokens: 0, prompt_tokens: 0 });
  assert.deepEqual(promptCacheUse('garbage'), { share: null, cached_tokens: null, prompt_tokens: null });
});

test('runs loaded from results.json carry their server section into the comparison', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-fair-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const paths = [server(51200, 1600), server(51200, 40000)].map((srv, i) => {
    const sim = simulatedRun({ ...SPEC, seed: 10 + i });
    const doc = buildResults({
      id: `run${i}`,
      startedAt: '2026-01-01T00:00:00Z',
      endedAt: '2026-01-01T00:01:00Z',
      config: sim.results.config,
      target: { url: 'http://127.0.0.1:8080/v1', model: 'm', api: 'chat' },
      summary: sim.results.summary,
      server: srv as unknown as ServerResults,
    });
    const p = join(dir, `run${i}.json`);
    writeFileSync(p, JSON.stringify(doc));
    return p;
  });
  const [a, b] = await Promise.all(paths.map(async (p) => toLoadedRun(await loadRun(p))));
  assert.deepEqual(a!.results.server, server(51200, 1600));
  assert.ok(fairnessWarnings(a!.results, b!.results).some((x) => x.field === 'server.prompt_cache'));
});
