/**
 * The shipped Prometheus rules and Grafana dashboards (deploy/): promtool checks and unit-tests the rules, then a real
 * Prometheus loads them while it scrapes a real monitor (probing a healthy and a failing server, scraping a vLLM
 * exposition) and that exposition itself; every PromQL expression of the rules and dashboards must return data.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parseMonitorConfig } from '../src/monitor/config/load-config.js';
import { startMonitor, type Monitor } from '../src/monitor/monitor.js';
import { prometheusAvailable, startPrometheus, type PrometheusInstance } from './support/prometheus.js';
import { startTimingServer, type TimingServer } from './support/timing-server.js';

const DEPLOY = fileURLToPath(new URL('../deploy/', import.meta.url));
const RULES = join(DEPLOY, 'prometheus', 'inferscope-rules.yml');
const PROMTOOL = '/usr/bin/promtool';
const skip = prometheusAvailable() && existsSync(PROMTOOL) ? false : 'Prometheus (Debian package prometheus) is not installed';

test('promtool accepts the rules and their unit tests pass', { skip }, () => {
  const check = execFileSync(PROMTOOL, ['check', 'rules', RULES]).toString();
  assert.match(check, /SUCCESS: \d+ rules found/);
  const unit = execFileSync(PROMTOOL, ['test', 'rules', join(DEPLOY, 'prometheus', 'inferscope-rules.test.yml')]).toString();
  assert.match(unit, /SUCCESS/);
});

let dir: string;
let good: TimingServer;
let failing: TimingServer;
let vllm: Server;
let monitor: Monitor;
let prom: PrometheusInstance;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'inferscope-rules-'));
  good = await startTimingServer({ behavior: { ttftMs: 20, itlMs: 5, outputTokens: 5 }, recordBodies: false });
  failing = await startTimingServer({ behavior: { httpStatus: 500 }, recordBodies: false });
  const exposition = readFileSync(fileURLToPath(new URL('./fixtures/metrics/vllm-v1.txt', import.meta.url)), 'utf8');
  vllm = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition));
  await new Promise<void>((r) => vllm.listen(0, '127.0.0.1', r));
  const vllmHost = `127.0.0.1:${(vllm.address() as { port: number }).port}`;
  monitor = await startMonitor(
    parseMonitorConfig(`listen: 127.0.0.1:0
store: ${join(dir, 'monitor.db')}
location: lab
targets:
  - name: good
    url: ${good.url}
    scrape: http://${vllmHost}/metrics
    scrape_every: 1s
  - name: failing
    url: ${failing.url}
    model: m
    scrape: off
probes:
  - name: short
    every: 500ms
    input_tokens: 20
    output_tokens: 5
    timeout: 2s
slos:
  - probe: short
    ttft: 2s
    objective: 0.99
    window: 1h
alerts:
  min_probes: 2
`),
    { apiKeys: new Map() },
  );
  const monitorHost = monitor.url.replace(/^http:\/\//, '');
  prom = await startPrometheus({ targets: [vllmHost], scrapeIntervalS: 1, evaluationIntervalS: 1, ruleFiles: [RULES], extraJobs: [{ name: 'inferscope', targets: [monitorHost] }] });
  await prom.waitForScrapes(4, { timeoutMs: 60_000 });
  // Rates need two scrapes of the monitor after its first probes, and recording rules a few evaluations.
  await new Promise((r) => setTimeout(r, 5_000));
});

after(async () => {
  await prom?.close();
  await monitor?.close({ drain: false });
  await good?.close();
  await failing?.close();
  await new Promise((r) => (vllm ? vllm.close(r) : r(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Splits `a > x and b > y` into [a, b]: the parts of an alert that must have data whether or not it fires. */
function operands(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && expr.startsWith(' and ', i)) {
      parts.push(expr.slice(start, i));
      start = i + 5;
    }
  }
  parts.push(expr.slice(start));
  return parts.map((p) => {
    let d = 0;
    for (let i = 0; i < p.length; i++) {
      if (p[i] === '(') d++;
      else if (p[i] === ')') d--;
      else if (d === 0 && /^\s(>=|<=|==|>|<)\s/.test(p.slice(i, i + 4))) return p.slice(0, i).trim();
    }
    return p.trim();
  });
}

test('every PromQL expression of the rules and dashboards returns data from a real Prometheus scraping a real monitor', { skip, timeout: 120_000 }, async () => {
  const rules = parseYaml(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ record?: string; alert?: string; expr: string }> }> };
  const queries: Array<{ from: string; expr: string }> = [];
  for (const g of rules.groups) {
    for (const r of g.rules) {
      if (r.record) queries.push({ from: `record ${r.record}`, expr: r.expr }, { from: `recorded ${r.record}`, expr: r.record });
      else for (const part of operands(r.expr)) queries.push({ from: `alert ${r.alert}`, expr: part });
    }
  }
  for (const file of ['inferscope-probes.json', 'vllm-server.json']) {
    const dash = JSON.parse(readFileSync(join(DEPLOY, 'grafana', file), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }>; templating: { list: Array<{ query?: { query?: string } | string }> } };
    for (const p of dash.panels) {
      for (const t of p.targets) {
        const expr = t.expr.replaceAll('$__rate_interval', '1m').replace(/\$(target|location|instance)\b/g, '.*');
        queries.push({ from: `${file}: ${p.title}`, expr });
      }
    }
  }
  assert.ok(queries.length > 40, `${queries.length} expressions`);
  const empty: string[] = [];
  for (const q of queries) {
    const result = await prom.query(q.expr);
    if (result.length === 0) empty.push(`${q.from}: ${q.expr}`);
  }
  assert.deepEqual(empty, [], 'expressions without data');
  // The failing target makes the probe-failing alert fire in Prometheus too.
  const firing = await prom.query('ALERTS{alertname="InferscopeProbeFailing"}');
  assert.ok(firing.some((s) => s.labels.target === 'failing'), JSON.stringify(firing.map((s) => s.labels)));
});
