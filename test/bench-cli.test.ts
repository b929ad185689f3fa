import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTimingServer, type TimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

let server: TimingServer;
const SECRET = 'sk-test-DO-NOT-LEAK-9f8e7d6c5b4a';

before(async () => {
  server = await startTimingServer({ behavior: { ttftMs: 60, itlMs: 10, outputTokens: 12 } });
});
after(() => server.close());

const tmp = (): string => mkdtempSync(join(tmpdir(), 'inferscope-cli-'));

test('--json prints only the results document on stdout, with the documented key paths', async () => {
  const dir = tmp();
  const r = await runCli(['bench', '--url', server.url, '--requests', '12', '--concurrency', '3', '--input-tokens', '40',
    '--output-tokens', '12', '--slo', 'ttft=500ms,tpot=50ms', '--json', '--out', dir, '--no-scrape']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.schema_version, 1);
  const s = doc.summary;
  assert.deepEqual([s.requests.total, s.requests.succeeded, s.requests.failed], [12, 12, 0]);
  assert.ok(s.window_s > 0);
  for (const m of ['ttft_ms', 'tpot_ms', 'itl_ms', 'e2e_ms']) {
    for (const k of ['count', 'mean', 'std', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'p999']) {
      assert.equal(typeof s[m][k], 'number', `summary.${m}.${k}`);
    }
  }
  for (const k of ['requests_per_s', 'output_tokens_per_s', 'total_tokens_per_s']) assert.ok(s.throughput[k] > 0, k);
  assert.equal(s.goodput.attainment, 1);
  assert.ok(s.goodput.requests_per_s > 0);
  assert.deepEqual(s.finish_reasons, { length: 12 });
  assert.equal(s.errors.total, 0);
  assert.equal(typeof s.fidelity.valid, 'boolean');
  assert.equal(typeof doc.run.config, 'object');
  assert.match(doc.run.started_at, /^\d{4}-\d\d-\d\dT/);
  assert.equal(typeof doc.run.tool_version, 'string');
  // Files: results.json equals stdout; one line per request.
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')), doc);
  const lines = readFileSync(join(dir, 'requests.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 12);
  const rec = JSON.parse(lines[0]!);
  for (const k of ['index', 't_sched', 't_send', 't_headers', 't_end', 'chunks', 'output_tokens', 'output_tokens_source', 'finish_reason']) {
    assert.ok(k in rec, `requests.jsonl has ${k}`);
  }
});

test('measured TTFT, TPOT, ITL and E2E match the server schedule', async () => {
  const r = await runCli(['bench', '--url', server.url, '--requests', '10', '--concurrency', '2', '--output-tokens', '12', '--json', '--no-scrape']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout).summary;
  // Server: first token 60 ms after the request, then 11 gaps of 10 ms. Tolerances hold on a busy 2-core box.
  assert.ok(s.ttft_ms.p50 >= 59 && s.ttft_ms.p50 < 60 + 25, `ttft p50 ${s.ttft_ms.p50}`);
  assert.ok(Math.abs(s.tpot_ms.p50 - 10) < 3, `tpot p50 ${s.tpot_ms.p50}`);
  assert.ok(Math.abs(s.itl_ms.p50 - 10) < 4, `itl p50 ${s.itl_ms.p50}`);
  assert.equal(s.itl_ms.count, 10 * 11);
  assert.ok(s.e2e_ms.p50 >= 169 && s.e2e_ms.p50 < 170 + 35, `e2e p50 ${s.e2e_ms.p50}`);
  assert.equal(s.tokens.output.total, 120);
});

test('the API key is sent but never appears in stdout, stderr, results or records', async () => {
  const keyed = await startTimingServer({
    apiKey: SECRET,
    behavior: (req) =>
      // Some servers echo the key in errors; every third request here fails with the key in its message.
      (req.body as { messages?: Array<{ content: string }> } | null)?.messages?.[0]?.content.includes('Excerpt 2 ')
        ? { httpStatus: 500, errorBody: { error: { message: `internal error for key ${SECRET}` } } }
        : { outputTokens: 4 },
  });
  try {
    const dir = tmp();
    const r = await runCli(['bench', '--url', keyed.url, '--requests', '6', '--concurrency', '2', '--output-tokens', '4',
      '--out', dir, '--no-scrape', '--max-error-rate', '0.5', '--header', `X-Api-Key:${SECRET}`], { env: { OPENAI_API_KEY: SECRET } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(keyed.requests.some((q) => q.headers.authorization === `Bearer ${SECRET}`), 'key was sent');
    const results = readFileSync(join(dir, 'results.json'), 'utf8');
    const records = readFileSync(join(dir, 'requests.jsonl'), 'utf8');
    for (const [name, text] of Object.entries({ stdout: r.stdout, stderr: r.stderr, results, records })) {
      assert.ok(!text.includes(SECRET), `${name} leaks the key`);
    }
    assert.match(records, /internal error for key \[redacted\]/);
  } finally {
    await keyed.close();
  }
});

test('a broken threshold exits 3; bad specs exit 2 before any request, naming the flag', async () => {
  const broken = await runCli(['bench', '--url', server.url, '--requests', '4', '--output-tokens', '4', '--no-scrape', '--threshold', 'ttft.p95<5ms']);
  assert.equal(broken.code, 3, broken.stderr);
  assert.match(broken.stdout, /FAIL/);

  const before = server.requests.length;
  const cases: Array<[string[], RegExp]> = [
    [['--input-tokens', 'abc'], /--input-tokens/],
    [['--slo', 'ttft=fast'], /--slo/],
    [['--threshold', 'ttft.p95 about 5'], /threshold/i],
    [['--concurrency', '0'], /--concurrency/],
    [['--rate', '5', '--concurrency', '2'], /concurrency/],
    [['--arrival', 'weibull', '--rate', '3'], /--arrival/],
    [['--label', 'a b=1'], /--label/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(['bench', '--url', server.url, '--no-scrape', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  assert.equal(server.requests.length, before, 'no request was sent for bad input');
});

test('Ctrl-C stops cleanly: finished requests kept, results written, exit 130', async () => {
  const slow = await startTimingServer({ behavior: { ttftMs: 20, itlMs: 20, outputTokens: 10 } });
  try {
    const dir = tmp();
    let sent = false;
    const r = await runCli(['bench', '--url', slow.url, '--requests', '1000', '--concurrency', '4', '--output-tokens', '10', '--out', dir, '--no-scrape'], {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          // Interrupt once a few requests have finished.
          if (!sent && existsSync(join(dir, 'requests.jsonl')) && readFileSync(join(dir, 'requests.jsonl'), 'utf8').split('\n').length > 9) {
            sent = true;
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 20);
        child.on('close', () => clearInterval(poll));
      },
    });
    assert.equal(r.code, 130, r.stderr);
    const doc = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    assert.equal(doc.run.status, 'interrupted');
    const lines = readFileSync(join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.length >= 8 && lines.length < 1000, `kept ${lines.length} records`);
    assert.equal(doc.summary.requests.total + doc.summary.requests.cut_off, lines.length);
    assert.equal(doc.summary.requests.failed, 0, 'requests cut off by Ctrl-C are not failures');
    assert.ok(lines.filter((l) => l.ok).length >= 8);
  } finally {
    await slow.close();
  }
});

test('a killed run (SIGKILL) leaves every finished request as a complete JSON line', async () => {
  const slow = await startTimingServer({ behavior: { ttftMs: 10, itlMs: 10, outputTokens: 8 } });
  try {
    const dir = tmp();
    let killed = false;
    const r = await runCli(['bench', '--url', slow.url, '--requests', '1000', '--concurrency', '8', '--output-tokens', '8', '--out', dir, '--no-scrape'], {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (!killed && existsSync(join(dir, 'requests.jsonl')) && readFileSync(join(dir, 'requests.jsonl'), 'utf8').split('\n').length > 20) {
            killed = true;
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        }, 10);
        child.on('close', () => clearInterval(poll));
      },
    });
    assert.equal(r.signal, 'SIGKILL');
    const text = readFileSync(join(dir, 'requests.jsonl'), 'utf8');
    assert.ok(text.endsWith('\n'), 'no partial line');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.length >= 20);
    assert.ok(lines.every((l) => l.ok === true && l.chunks.length === 8));
    assert.ok(!existsSync(join(dir, 'results.json')));
    // The finished requests are still reportable.
    const html = join(dir, 'report.html');
    const rep = await runCli(['report', dir, '--html', html]);
    assert.equal(rep.code, 0, rep.stderr);
    assert.match(readFileSync(html, 'utf8'), /interrupted/);
  } finally {
    await slow.close();
  }
});
