import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummary, runBenchmark } from '../src/index.js';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

test('--turns: each turn carries the history with the real answers, after the think time; sessions summarized', async () => {
  const server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 1, tokenText: ' tok' } });
  try {
    const { results, records } = await runBenchmark({
      url: server.url, model: 'm', turns: 3, thinkTimeS: 0.05, inputTokens: '20', outputTokens: '8', requests: 4, concurrency: 2, warmup: 0,
      scrape: false, probe: false, calibrate: false,
    });
    assert.equal(records.length, 12);
    assert.deepEqual([...records].map((r) => r.index).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i));
    for (const r of records) assert.equal(r.index, r.session! * 3 + r.turn!);
    // What the server was sent: turn t has 2t + 1 messages, the assistant ones being its own earlier answers.
    const bodies = server.requests.filter((q) => q.body).map((q) => q.body!.messages as Array<{ role: string; content: string }>);
    assert.deepEqual(bodies.map((m) => m.length).sort(), [1, 1, 1, 1, 3, 3, 3, 3, 5, 5, 5, 5]);
    for (const m of bodies.filter((x) => x.length > 1)) {
      assert.deepEqual(m.map((x) => x.role), m.length === 3 ? ['user', 'assistant', 'user'] : ['user', 'assistant', 'user', 'assistant', 'user']);
      assert.equal(m[1]!.content, ' tok'.repeat(8));
    }
    // A turn is scheduled a think time after the previous answer ended.
    for (const r of records.filter((x) => x.turn! > 0)) {
      const prev = records.find((x) => x.session === r.session && x.turn === r.turn! - 1)!;
      assert.ok(r.t_sched - prev.t_end >= 49, `turn ${r.turn} scheduled ${(r.t_sched - prev.t_end).toFixed(1)} ms after the answer`);
      assert.equal(r.history_tokens, prev.history_tokens! + 20 + 8);
    }
    const s = results.summary.sessions!;
    assert.equal(s.conversations, 4);
    assert.equal(s.completed, 4);
    assert.equal(s.per_turn.length, 3);
    // History share: turn 1 has 28 of 48 tokens, turn 2 56 of 76.
    assert.ok(Math.abs(s.history_share! - (4 * (0 + 28 + 56)) / (4 * (20 + 48 + 76))) < 1e-9, `history share ${s.history_share}`);
    assert.match(formatSummary(results, { color: false }), /sessions {5}4 conversations of 3 turns \(4 complete\); history 58% of prompt tokens/);
    assert.equal(records[0]!.output_text, undefined, 'answers are carried, not kept, without --save-text');
  } finally {
    await server.close();
  }
});

test('--turns needs the chat API and at least 2 turns; --think-time needs --turns', async () => {
  await assert.rejects(runBenchmark({ url: 'http://127.0.0.1:9/v1', model: 'm', turns: 3, api: 'completions' }), /--turns sends conversations as chat messages/);
  const one = await runCli(['bench', '--turns', '1', '--no-db']);
  assert.equal(one.code, 2);
  assert.match(one.stderr, /--turns/);
  const think = await runCli(['bench', '--think-time', '2', '--no-db']);
  assert.equal(think.code, 2);
  assert.match(think.stderr, /--think-time is the pause between turns/);
});

test('conversations on the embedded llama-server: the history comes from its prompt cache', async () => {
  const r = await runCli(['bench', '--turns', '4', '--input-tokens', '60', '--output-tokens', '24', '--requests', '6', '--concurrency', '2', '--parallel', '2', '--no-db', '--json'], { timeoutMs: 180_000 });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.summary.sessions.completed, 6);
  assert.equal(doc.summary.requests.succeeded, 24);
  const cached = doc.server.tokens.prompt_cached / doc.server.tokens.prompt;
  assert.ok(cached > 0.3, `share of prompt tokens from the cache: ${cached.toFixed(2)}`);
});

test('--conversations sends a ShareGPT dataset whole: each conversation turn by turn, asking for its answers\' lengths', async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { countTokens } = await import('../src/text/tokenizer.js');
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-conv-'));
  const convs = [
    [['Hi there', 'Hello! How can I help you today?'], ['Tell me a joke', 'Why did the chicken cross the road? To get to the other side.']],
    [['What is 2+2?', '4'], ['And 3+3?', '6'], ['Thanks', 'You are welcome.']],
    [['Name a colour', 'Blue']],
  ];
  const file = join(dir, 'sharegpt.json');
  writeFileSync(file, JSON.stringify(convs.map((c, i) => ({ id: `c${i}`, conversations: c.flatMap(([u, a]) => [{ from: 'human', value: u }, { from: 'gpt', value: a }]) }))));
  const server = await startTimingServer({ behavior: (req) => ({ outputTokens: Number(req.body?.max_tokens ?? 4), itlMs: 1, tokenText: ' ok' }) });
  try {
    const { results, records } = await runBenchmark({ url: server.url, model: 'm', dataset: file, conversations: true, requests: 3, concurrency: 3, warmup: 0, scrape: false, probe: false, calibrate: false });
    const s = results.summary.sessions!;
    assert.equal(s.conversations, 3);
    assert.equal(s.completed, 3);
    assert.equal(s.turns, 3);
    assert.equal(records.length, 6);
    // Every user turn of the dataset went out once, with max_tokens the length of the dataset's answer to it.
    const sent = server.requests.filter((q) => q.body).map((q) => {
      const msgs = q.body!.messages as Array<{ role: string; content: string }>;
      return { user: msgs.at(-1)!.content.replace(/^Run \d{6}:\n/, ''), max: q.body!.max_tokens, history: msgs.length - 1 };
    });
    for (const c of convs) {
      c.forEach(([u, a], t) => {
        const hit = sent.find((x) => x.user === u);
        assert.ok(hit, `turn "${u}" was sent`);
        assert.equal(hit.max, Math.max(1, countTokens(a!)));
        assert.equal(hit.history, 2 * t, `"${u}" carried ${hit.history} earlier messages`);
      });
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
