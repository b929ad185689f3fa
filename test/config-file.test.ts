import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

test('--config FILE.yaml: option names as keys, flags on the command line win, bad keys named with their line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-config-'));
  const server = await startTimingServer({ behavior: { outputTokens: 4 }, recordBodies: false });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'bench.yaml');
  writeFileSync(
    file,
    [`url: ${server.url}`, 'model: test-model', 'requests: 6', 'concurrency: 2', 'outputTokens: 4', 'input-tokens: 32', 'scrape: false', 'probe: false', 'db: false', 'label:', '  team: infra'].join('\n'),
  );
  const r = await runCli(['bench', '--config', file, '--concurrency', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(r.stdout).run.config;
  assert.deepEqual([config.requests, config.concurrency, config.outputTokens, config.inputTokens, config.scrape, config.probe], [6, 3, '4', '32', false, false]);
  assert.deepEqual(config.labels, { team: 'infra' });

  const cases: Array<[string, RegExp]> = [
    ['requests: 6\nconcurency: 2\n', /bad\.yaml:2: unknown key "concurency" for bench \(did you mean concurrency\?\)/],
    ['requests: [1, 2\n', /bad\.yaml:\d+: /],
    ['reuse-prompts: 5\n', /bad\.yaml:1: "reuse-prompts" is a switch/],
    ['- a\n- b\n', /bad\.yaml:1: expected keys and values/],
    ['requests: 0\n', /--requests/],
  ];
  for (const [text, pattern] of cases) {
    writeFileSync(join(dir, 'bad.yaml'), text);
    const bad = await runCli(['bench', '--config', join(dir, 'bad.yaml')]);
    assert.equal(bad.code, 2, `${JSON.stringify(text)}: ${bad.stderr}`);
    assert.match(bad.stderr, pattern);
  }
  const missing = await runCli(['bench', '--config', join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read/);

  writeFileSync(join(dir, 'sweep.yaml'), [`url: ${server.url}`, 'model: test-model', 'concurrency: "1,2"', 'requests: 4', 'scrape: false', 'probe: false', 'db: false'].join('\n'));
  const sweep = await runCli(['sweep', '--config', join(dir, 'sweep.yaml'), '--json']);
  assert.equal(sweep.code, 0, sweep.stderr);
  assert.equal(JSON.parse(sweep.stdout).steps.length, 2);
});
