import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../src/config/errors.js';
import { parseMonitorConfig, resolveApiKeys } from '../src/monitor/config/load-config.js';
import { DEFAULTS } from '../src/config/defaults.js';
import { runCli } from './support/cli.js';
import { startTimingServer } from './support/timing-server.js';

const GOOD = `listen: 127.0.0.1:9464
targets:
  - name: local-vllm
    url: http://127.0.0.1:8000/v1/
    api_key_env: MONITOR_TEST_KEY
    labels: { provider: self-hosted, region: eu }
probes:
  - name: short
    every: 60s
    input_tokens: 100
    output_tokens: 300
    timeout: 60s
slos:
  - targets: "*"
    probe: short
    ttft: 2s
    e2e: 15s
    objective: 0.99
    window: 28d
alerts:
  webhooks: [ { url: "http://127.0.0.1:9000/hook", format: slack } ]
`;

test('a valid configuration resolves with every default applied once', () => {
  const c = parseMonitorConfig(GOOD);
  assert.deepEqual(c.listen, { host: '127.0.0.1', port: 9464 });
  assert.equal(c.store, DEFAULTS.monitor.store);
  assert.equal(c.location, DEFAULTS.monitor.location);
  assert.equal(c.retentionMs, 30 * 86_400_000);
  assert.equal(c.targets[0]!.url, 'http://127.0.0.1:8000/v1');
  assert.equal(c.targets[0]!.scrape, 'auto');
  assert.equal(c.targets[0]!.scrapeEveryMs, 15_000);
  assert.deepEqual(c.probes[0], { name: 'short', everyMs: 60_000, inputTokens: 100, outputTokens: 300, timeoutMs: 60_000, targets: '*' });
  assert.equal(c.slos[0]!.windowMs, 28 * 86_400_000);
  assert.equal(c.slos[0]!.ttftMs, 2000);
  assert.equal(c.slos[0]!.tpotMs, null);
  assert.deepEqual(c.alerts.failing, DEFAULTS.monitor.failing);
  assert.equal(c.alerts.webhooks[0]!.format, 'slack');
});

test('errors name the line and the key path', () => {
  const cases: [string, RegExp][] = [
    [GOOD.replace('http://127.0.0.1:8000/v1/', 'ftp://x'), /^monitor\.yaml:4: targets\[0\]\.url: /],
    [GOOD.replace('every: 60s', 'every: soon'), /^monitor\.yaml:9: probes\[0\]\.every: invalid duration "soon"/],
    [GOOD.replace('    timeout: 60s\n', '    timeout: 60s\n    colour: red\n'), /^monitor\.yaml:13: probes\[0\]\.colour: unknown key "colour"/],
    [GOOD.replace('probe: short', 'probe: long'), /^monitor\.yaml:15: slos\[0\]\.probe: no probe named "long"/],
    [GOOD.replace('objective: 0.99', 'objective: 99'), /^monitor\.yaml:18: slos\[0\]\.objective: /],
    [GOOD.replace('format: slack', 'format: teams'), /^monitor\.yaml:21: alerts\.webhooks\[0\]\.format: /],
    [GOOD.replace('listen: 127.0.0.1:9464', 'listen: anywhere'), /^monitor\.yaml:1: listen: expected HOST:PORT/],
    [GOOD.replace(/probes:[\s\S]*$/, ''), /^monitor\.yaml:1: probes: required key is missing/],
    [GOOD.replace('  - name: local-vllm', '  - name: "bad name"'), /^monitor\.yaml:3: targets\[0\]\.name: /],
    ['targets: [', /^monitor\.yaml:1: /],
    [`${GOOD}listen: 0.0.0.0:1\n`, /^monitor\.yaml:22: .*[Mm]ap keys must be unique/],
  ];
  for (const [text, expected] of cases) {
    assert.throws(() => parseMonitorConfig(text), (err: unknown) => err instanceof ConfigError && expected.test(err.message), expected.source);
  }
});

test('API keys come from the named environment variables and an unset one is an input error', () => {
  const c = parseMonitorConfig(GOOD);
  assert.equal(resolveApiKeys(c, { MONITOR_TEST_KEY: 'sk-secret-123' }).get('local-vllm'), 'sk-secret-123');
  assert.throws(() => resolveApiKeys(c, {}), (err: unknown) => err instanceof ConfigError && /MONITOR_TEST_KEY is not set \(target local-vllm\)/.test(err.message));
  assert.ok(!JSON.stringify(c).includes('sk-secret'), 'the configuration never holds the key');
});

test('monitor --check: 0 for a valid file, 2 naming the line for a bad one, and the key is never printed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-monitor-check-'));
  const good = join(dir, 'good.yaml');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(good, GOOD);
  writeFileSync(bad, GOOD.replace('every: 60s', 'every: -5s'));
  const ok = await runCli(['monitor', '--config', good, '--check'], { env: { MONITOR_TEST_KEY: 'sk-do-not-print-me' } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /good\.yaml: ok \(1 target, 1 probe, 1 SLO, 1 webhook\)/);
  assert.ok(!(ok.stdout + ok.stderr).includes('sk-do-not-print-me'));
  const invalid = await runCli(['monitor', '--config', bad, '--check'], { env: { MONITOR_TEST_KEY: 'x' } });
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /bad\.yaml:9: probes\[0\]\.every: /);
  const noKey = await runCli(['monitor', '--config', good, '--check'], { env: { MONITOR_TEST_KEY: undefined } });
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /MONITOR_TEST_KEY is not set/);
  const missing = await runCli(['monitor', '--config', join(dir, 'nope.yaml'), '--check']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read/);
});

test('monitor --url: one target and one default probe without a file; flags that need one or the other are named', async () => {
  const server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 2, outputTokens: 4 }, recordBodies: false });
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-monitor-quick-'));
  try {
    const check = await runCli(['monitor', '--url', server.url, '--every', '30s', '--check']);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /the command line: ok \(1 target, 1 probe, 0 SLOs, 0 webhooks\)/);
    const none = await runCli(['monitor']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /monitor needs --config FILE .* or --url URL/);
    const both = await runCli(['monitor', '--config', join(dir, 'm.yaml'), '--url', server.url]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--url is for a monitor without --config/);
    const badEvery = await runCli(['monitor', '--url', server.url, '--every', 'soon', '--check']);
    assert.equal(badEvery.code, 2);
    assert.match(badEvery.stderr, /--every/);
    // Running: probes reach the server every second and the API lists the target under its host and port.
    const port = new URL(server.url).port;
    let seen: Array<{ name: string; probes: Array<{ probe: string; recent: number }> }> = [];
    const run = await runCli(['monitor', '--url', server.url, '--model', 'test-model', '--every', '1s', '--listen', '127.0.0.1:0', '--store', join(dir, 'm.db')], {
      timeoutMs: 30_000,
      onSpawn: (child) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const at = /listening on (http:\/\/\S+)/.exec(out)?.[1];
          if (!at) return;
          const poll = setInterval(() => {
            void fetch(`${at}/api/targets`)
              .then((r) => r.json() as Promise<typeof seen>)
              .then((targets) => {
                seen = targets;
                if ((targets[0]?.probes[0]?.recent ?? 0) >= 2) {
                  clearInterval(poll);
                  child.kill('SIGTERM');
                }
              })
              .catch(() => undefined);
          }, 200);
          child.once('exit', () => clearInterval(poll));
        });
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(seen[0]?.name, `127.0.0.1-${port}`);
    assert.equal(seen[0]?.probes[0]?.probe, 'default');
    assert.ok(seen[0]!.probes[0]!.recent >= 2);
  } finally {
    await server.close();
  }
});
