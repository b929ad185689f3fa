import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scrubSecrets } from '../src/benchmark/redact.js';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

const KEY = 'sk-SECRET1-abcdefghijklmnopqrstuvwxyz0123456789';
const HEADER_SECRET = 'hdr-SECRET2-0123456789abcdefghij';

test('a message cut to length never ends in the first characters of a secret', () => {
  const cut = `${'x'.repeat(480)} ${HEADER_SECRET.slice(0, 12)}...`;
  assert.equal(scrubSecrets(cut, [HEADER_SECRET]), `${'x'.repeat(480)} [redacted]...`);
  assert.equal(scrubSecrets(`Authorization: Bearer ${KEY}`, []), 'Authorization: Bearer [redacted]');
  assert.equal(scrubSecrets('nothing here...', [KEY]), 'nothing here...');
});

test('keys echoed in errors (long ones cut at the limit), in saved output and in headers reach no output: results, records, store, HTML, CSV, console', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-secrets-'));
  let n = 0;
  const server = await startTimingServer({
    apiKey: KEY,
    behavior: () =>
      ++n % 3 === 0
        ? // The header secret straddles the 500-character cut of error messages.
          { httpStatus: 500, errorBody: { error: { message: `${'e'.repeat(457)} key=${KEY} header=${HEADER_SECRET} Bearer ${KEY}` } } }
        : { outputTokens: 4, tokenText: (i: number) => (i === 0 ? ` echo ${KEY} ${HEADER_SECRET}` : ' tok') },
  });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const db = join(dir, 'runs.db');
  const r = await runCli(
    ['bench', '--url', server.url, '--model', 'test-model', '--requests', '9', '--concurrency', '3', '--output-tokens', '4', '--save-text', '--no-scrape',
      '--max-error-rate', '0.5', '--out', join(dir, 'out'), '--html', join(dir, 'report.html'), '--csv', join(dir, 'rows.csv'), '--db', db,
      '--header', `X-Api-Key:${HEADER_SECRET}`],
    { env: { OPENAI_API_KEY: KEY } },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(server.requests.some((q) => q.headers.authorization === `Bearer ${KEY}`), 'the key was sent');
  const files = [join(dir, 'out', 'results.json'), join(dir, 'out', 'requests.jsonl'), join(dir, 'report.html'), join(dir, 'rows.csv'), ...readdirSync(dir).filter((f) => f.startsWith('runs.db')).map((f) => join(dir, f))];
  const outputs: Record<string, string> = { stdout: r.stdout, stderr: r.stderr };
  for (const f of files) outputs[f] = readFileSync(f).toString('latin1');
  for (const [name, text] of Object.entries(outputs)) {
    for (const secret of [KEY, HEADER_SECRET, KEY.slice(0, 12), HEADER_SECRET.slice(0, 7)]) {
      assert.ok(!text.includes(secret), `${name} contains ${secret.slice(0, 6)}...`);
    }
  }
  assert.match(outputs[join(dir, 'out', 'requests.jsonl')]!, /echo \[redacted\] \[redacted\]/);
});
