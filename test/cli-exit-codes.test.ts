import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTimingServer, type TimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

let server: TimingServer;
let dir: string;
before(async () => {
  server = await startTimingServer({ behavior: { outputTokens: 2 } });
  dir = mkdtempSync(join(tmpdir(), 'inferscope-exit-'));
  const files: Record<string, string | Buffer> = {
    'bad.jsonl': '{"prompt": "a"}\n{oops\n',
    'empty.jsonl': '',
    'binary.jsonl': Buffer.from([0x00, 0xff, 0x13, 0x37, 0x9c, 0x00, 0x01, 0xfe]),
    'sharegpt.json': '[{"id": 1, "turns": []}]',
    'truncated.json': '{"schema_version": 1, "run": {"id": "r1", "sta',
    'corrupt.db': 'this is not an SQLite database, only some text that is long enough to look like a header',
    'a-file': 'x',
  };
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
});
after(() => server.close());

/** Every case: bad input, exit 2, a message naming the field or line, and not one generation request sent. */
const CASES: Array<{ name: string; args: () => string[]; message: RegExp }> = [
  { name: 'impossible --input-tokens', args: () => bench('--input-tokens', '99999999999'), message: /--input-tokens: "99999999999" is not a possible length/ },
  { name: 'bad dataset line', args: () => bench('--dataset', f('bad.jsonl')), message: /bad\.jsonl:2: invalid JSON/ },
  { name: 'empty dataset', args: () => bench('--dataset', f('empty.jsonl')), message: /empty\.jsonl: dataset is empty/ },
  { name: 'binary dataset', args: () => bench('--dataset', f('binary.jsonl')), message: /binary\.jsonl:1/ },
  { name: 'missing dataset', args: () => bench('--dataset', f('missing.jsonl')), message: /missing\.jsonl: cannot read/ },
  { name: 'wrong ShareGPT shape', args: () => bench('--dataset', f('sharegpt.json'), '--dataset-format', 'sharegpt'), message: /sharegpt\.json:1: missing "conversations"/ },
  { name: 'report on a truncated results.json', args: () => ['report', f('truncated.json'), '--html', f('r.html')], message: /truncated\.json: not valid JSON/ },
  { name: '--url ftp://', args: () => ['bench', '--url', 'ftp://127.0.0.1/v1', '--requests', '1'], message: /--url: must be an http:\/\/ or https:\/\/ URL/ },
  { name: 'serve --port 99999', args: () => ['serve', '--port', '99999'], message: /--port: a port is 0 to 65535/ },
  { name: 'serve --preset huge', args: () => ['serve', '--preset', 'huge'], message: /--preset: "huge" is not one of tiny, small, medium/ },
  { name: 'corrupt --db', args: () => bench('--db', f('corrupt.db')), message: /corrupt\.db: file is not a database/ },
  { name: 'unwritable --out', args: () => bench('--out', f('a-file/out')), message: /--out: cannot write/ },
  { name: 'unwritable --html', args: () => bench('--html', f('a-file/r.html')), message: /--html: cannot write/ },
  { name: '--duration 0', args: () => ['bench', '--url', server.url, '--duration', '0', '--no-scrape'], message: /--duration: / },
  { name: '--burstiness without --rate', args: () => bench('--burstiness', '0.5'), message: /--burstiness .*needs --rate/ },
];

function f(name: string): string {
  return join(dir, name);
}

function bench(...extra: string[]): string[] {
  return ['bench', '--url', server.url, '--model', 'test-model', '--requests', '2', '--no-scrape', ...extra];
}

for (const c of CASES) {
  test(`exit 2 before any request: ${c.name}`, async () => {
    const before = server.requests.filter((r) => r.method === 'POST').length;
    const r = await runCli(c.args(), { timeoutMs: 20_000 });
    assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
    assert.match(r.stderr, c.message);
    assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
    assert.equal(server.requests.filter((q) => q.method === 'POST').length, before, 'nothing sent');
  });
}
