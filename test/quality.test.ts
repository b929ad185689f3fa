import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSummary, runBenchmark } from '../src/index.js';
import { exactMatch, rougeL, scoreAnswer, tokenF1 } from '../src/measure/quality.js';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inferscope-quality-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('exact match, token F1 and ROUGE-L by hand (SQuAD normalization: case, punctuation, articles)', async () => {
  assert.equal(exactMatch('The Paris.', 'paris'), 1);
  assert.equal(exactMatch('Paris, France', 'Paris'), 0);
  // "red and yellow" vs "red and blue": 2 common of 3 each.
  assert.ok(Math.abs(tokenF1('Red and yellow.', 'red and blue') - 2 / 3) < 1e-9);
  assert.ok(Math.abs(tokenF1('Shakespeare', 'William Shakespeare') - 2 / 3) < 1e-9);
  // LCS "cat on mat" (3) of 4 tokens each after removing articles: "cat sat on mat" / "cat lay on mat".
  assert.ok(Math.abs(rougeL('the cat sat on the mat', 'the cat lay on a mat') - 0.75) < 1e-9);
  assert.deepEqual(scoreAnswer('4', ['four', '4']), { exact_match: 1, f1: 1, rouge_l: 1 });
  assert.deepEqual(scoreAnswer('', ['x']), { exact_match: 0, f1: 0, rouge_l: 0 });
});

const ANSWERS: Array<[string, string[]]> = [
  ['capital of France', ['Paris']],
  ['primary colors', ['Red', ' and', ' yellow.']],
  ['wrote Hamlet', ['Shakespeare']],
  ['2+2', ['The', ' answer', ' is', ' 5']],
];

test('a dataset with references: every answer is scored, the run reports the means, outputs are kept', async () => {
  const dataset = join(dir, 'qa.jsonl');
  writeFileSync(
    dataset,
    [
      { prompt: 'What is the capital of France?', reference: 'Paris' },
      { prompt: 'Name two primary colors.', references: ['red and blue', 'blue and yellow'] },
      { prompt: 'Who wrote Hamlet?', reference: 'William Shakespeare' },
      { prompt: 'What is 2+2?', reference: '4', max_tokens: 16 },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n'),
  );
  const server = await startTimingServer({
    behavior: (req) => {
      const text = JSON.stringify(req.body);
      const pieces = ANSWERS.find(([key]) => text.includes(key))![1];
      return { outputTokens: pieces.length, tokenText: (i: number) => pieces[i]!, finishReason: 'stop' };
    },
  });
  try {
    const { results, records } = await runBenchmark({ url: server.url, model: 'm', dataset, requests: 4, concurrency: 2, warmup: 0, scrape: false, probe: false, calibrate: false });
    const q = results.summary.quality!;
    assert.equal(q.requests, 4);
    assert.equal(q.exact_match.mean, 0.25);
    assert.ok(Math.abs(q.f1.mean - (1 + 2 / 3 + 2 / 3 + 0) / 4) < 1e-9, `F1 ${q.f1.mean}`);
    assert.ok(Math.abs(q.rouge_l.mean - (1 + 2 / 3 + 2 / 3 + 0) / 4) < 1e-9, `ROUGE-L ${q.rouge_l.mean}`);
    for (const r of records) assert.ok(r.output_text && r.quality, 'scored requests keep their answer and scores');
    // A request with references never asks for a forced length (ignore_eos would run past the answer).
    for (const req of server.requests.filter((x) => x.body)) assert.equal(req.body!.ignore_eos, undefined);
    assert.match(formatSummary(results, { color: false }), /quality {6}exact match 25\.0% {3}F1 0\.583 {3}ROUGE-L 0\.583 {3}\(4 answers/);
  } finally {
    await server.close();
  }
});

test('bad references in a dataset line are named with file and line', async () => {
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, '{"prompt": "a", "reference": "x"}\n{"prompt": "b", "references": []}\n');
  await assert.rejects(runBenchmark({ url: 'http://127.0.0.1:9/v1', model: 'm', dataset: bad, requests: 1, scrape: false, probe: false, calibrate: false }), /bad\.jsonl:2: "references" must be a non-empty array of strings/);
});

test('compare puts answer quality beside speed: exact match, F1 and ROUGE-L deltas; stored requests carry their scores', async () => {
  const dataset = join(dir, 'cmp.jsonl');
  const entries = Array.from({ length: 40 }, (_, i) => ({ prompt: `Question ${i}: say the word w${i}.`, reference: `w${i}` }));
  writeFileSync(dataset, entries.map((o) => JSON.stringify(o)).join('\n'));
  const db = join(dir, 'runs.db');
  // The base answers every question; the candidate gets every fourth one wrong.
  let wrongEvery = 0;
  const server = await startTimingServer({
    behavior: (req) => {
      const i = Number(/Question (\d+)/.exec(JSON.stringify(req.body))![1]);
      const word = wrongEvery > 0 && i % wrongEvery === 0 ? 'nope' : `w${i}`;
      return { outputTokens: 1, tokenText: () => word, finishReason: 'stop' };
    },
  });
  try {
    const common = { url: server.url, model: 'm', dataset, requests: 40, concurrency: 4, warmup: 0, scrape: false, probe: false, calibrate: false, db };
    const base = await runBenchmark(common);
    wrongEvery = 4;
    const cand = await runBenchmark(common);
    assert.equal(base.results.summary.quality!.exact_match.mean, 1);
    assert.equal(cand.results.summary.quality!.exact_match.mean, 0.75);
    const r = await runCli(['compare', base.results.run.id, cand.results.run.id, '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const cmp = JSON.parse(r.stdout);
    const em = cmp.metrics.find((m: { metric: string }) => m.metric === 'exact_match');
    assert.equal(em.base, 1);
    assert.equal(em.candidate, 0.75);
    assert.equal(em.verdict, 'regressed');
    // Same seed, same dataset order: answers pair by index; a quarter of them changed.
    assert.deepEqual(cmp.consistency, { pairs: 40, identical: 0.75, similarity: { mean: 0.75, p10: 0, p50: 1 } });
    assert.ok(cmp.notes.some((n: string) => /--reuse-prompts/.test(n)));
    const f1 = cmp.metrics.find((m: { metric: string }) => m.metric === 'f1');
    assert.equal(f1.ci.method, 'welch');
    assert.equal(f1.verdict, 'regressed');
    const { openSqliteStore } = await import('../src/store/sqlite-store.js');
    const store = openSqliteStore(db);
    try {
      const stored = await store.getRequests(cand.results.run.id);
      assert.equal(stored.filter((x) => x.quality).length, 40);
      assert.equal(stored.filter((x) => x.quality?.exact_match === 0).length, 10);
    } finally {
      await store.close();
    }
  } finally {
    await server.close();
  }
});
