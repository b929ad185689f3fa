import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMonitorConfig } from '../src/monitor/config/load-config.js';
import { quickMonitorConfig } from '../src/monitor/config/quick-config.js';
import { starterMonitorConfig } from '../src/monitor/config/starter-config.js';
import { runCli } from './support/cli.js';

test('the starter configuration parses as printed, to what --url alone would monitor', () => {
  const q = { url: 'http://10.0.0.5:8000/v1', model: 'meta-llama/Llama-3.1-8B-Instruct', apiKeyEnv: 'VLLM_KEY', every: '30s' };
  const text = starterMonitorConfig(q);
  assert.deepEqual(parseMonitorConfig(text, 'the command line'), quickMonitorConfig(q));
  assert.match(text, /^ {4}model: meta-llama\/Llama-3\.1-8B-Instruct +# default: the first from GET \/models$/m);
  // Every commented-out example is valid too once uncommented.
  const all = text
    .replace(/^slos: \[\]\n# slos:\n((?:#.*\n)+)/m, (_m, block: string) => `slos:\n${block.replace(/^# /gm, '')}`)
    .replace(/^ {2}webhooks: \[\]\n {2}# (webhooks: .*)\n {2}# (regression: .*)$/m, '  $1\n  $2')
    .replace(/^# (shared_store|otlp): /gm, '$1: ');
  const parsed = parseMonitorConfig(all);
  assert.equal(parsed.slos.length, 1);
  assert.deepEqual([parsed.slos[0]!.ttftMs, parsed.slos[0]!.e2eMs, parsed.slos[0]!.objective], [2000, 15000, 0.99]);
  assert.equal(parsed.alerts.webhooks.length, 1);
  assert.ok(parsed.alerts.regression && parsed.otlp && parsed.sharedStore);
});

test('monitor --print-config prints it for --url (a placeholder without), and refuses beside --config', async () => {
  const r = await runCli(['monitor', '--print-config', '--url', 'http://127.0.0.1:8001/v1', '--every', '10s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}- name: 127\.0\.0\.1-8001\n {4}url: http:\/\/127\.0\.0\.1:8001\/v1$/m);
  assert.match(r.stdout, /^ {4}every: 10s /m);
  const bare = await runCli(['monitor', '--print-config'], { env: { OPENAI_BASE_URL: undefined } });
  assert.equal(bare.code, 0, bare.stderr);
  assert.match(bare.stdout, /url: http:\/\/127\.0\.0\.1:8000\/v1/);
  const both = await runCli(['monitor', '--print-config', '--config', 'monitor.yaml']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--print-config writes a file to start from/);
});
