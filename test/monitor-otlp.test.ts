// The monitor exports its probes over OTLP/HTTP (the OpenTelemetry JS SDK) to a real HTTP receiver on loopback:
// GenAI semantic-convention names, units and attributes, and counts that match the probes it ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMonitorConfig } from '../src/monitor/config/load-config.js';
import { startMonitor } from '../src/monitor/monitor.js';
import type { ProbeResult } from '../src/monitor/probe/probe-result.js';
import { startTimingServer } from './support/timing-server.js';

interface OtlpValue { stringValue?: string; intValue?: string | number }
interface OtlpPoint { attributes: Array<{ key: string; value: OtlpValue }>; count: string | number; sum?: number }
interface OtlpMetric { name: string; unit: string; histogram?: { dataPoints: OtlpPoint[] } }
interface OtlpBody { resourceMetrics: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> }; scopeMetrics: Array<{ metrics: OtlpMetric[] }> }> }

test('probe metrics reach an OTLP/HTTP receiver with the GenAI semantic conventions', { timeout: 60_000 }, async () => {
  const bodies: OtlpBody[] = [];
  const receiver = createServer((req, res) => {
    let data = '';
    req.setEncoding('utf8').on('data', (d: string) => (data += d));
    req.on('end', () => {
      if (req.url === '/v1/metrics' && req.method === 'POST') bodies.push(JSON.parse(data) as OtlpBody);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/v1/metrics`;
  const server = await startTimingServer({ behavior: { ttftMs: 10, itlMs: 4, outputTokens: 6 }, recordBodies: false });
  const failing = await startTimingServer({ behavior: { httpStatus: 503 }, recordBodies: false });
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-otlp-'));
  const seen: ProbeResult[] = [];
  try {
    const monitor = await startMonitor(
      parseMonitorConfig(`listen: 127.0.0.1:0
store: ${join(dir, 'm.db')}
location: lab
otlp:
  endpoint: ${endpoint}
  every: 500ms
targets:
  - name: llm
    url: ${server.url}
    model: test-model
    scrape: off
  - name: down
    url: ${failing.url}
    model: test-model
    scrape: off
probes:
  - name: short
    every: 200ms
    input_tokens: 12
    output_tokens: 6
    timeout: 2s
`),
      { apiKeys: new Map() },
    );
    monitor.onProbe((p) => seen.push(p));
    await new Promise((r) => setTimeout(r, 2000));
    await monitor.close({ drain: true });
  } finally {
    await server.close();
    await failing.close();
    rmSync(dir, { recursive: true, force: true });
  }
  receiver.close();
  assert.ok(bodies.length >= 2, `${bodies.length} exports`);
  // Cumulative temporality: the last export holds every probe.
  const last = bodies[bodies.length - 1]!;
  const resource = Object.fromEntries(last.resourceMetrics[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue]));
  assert.equal(resource['service.name'], 'inferscope-monitor');
  const metrics = new Map(last.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)).map((m) => [m.name, m]));
  const attrs = (p: OtlpPoint): Record<string, string> => Object.fromEntries(p.attributes.map((a) => [a.key, String(a.value.stringValue ?? a.value.intValue)]));
  const count = (m: OtlpMetric | undefined, where: (a: Record<string, string>) => boolean): number =>
    (m?.histogram?.dataPoints ?? []).filter((p) => where(attrs(p))).reduce((s, p) => s + Number(p.count), 0);

  const duration = metrics.get('gen_ai.client.operation.duration');
  assert.equal(duration?.unit, 's');
  const ok = seen.filter((p) => p.ok && p.target === 'llm').length;
  const failed = seen.filter((p) => !p.ok && p.target === 'down').length;
  assert.ok(ok >= 4 && failed >= 4, `${ok} ok, ${failed} failed probes`);
  assert.equal(count(duration, (a) => a['inferscope.target'] === 'llm' && !a['error.type']), ok);
  assert.equal(count(duration, (a) => a['inferscope.target'] === 'down' && a['error.type'] === 'http_5xx'), failed);
  const point = attrs(duration!.histogram!.dataPoints[0]!);
  assert.equal(point['gen_ai.operation.name'], 'chat');
  assert.equal(point['gen_ai.request.model'], 'test-model');
  assert.equal(point['server.address'], '127.0.0.1');
  assert.equal(point['inferscope.location'], 'lab');

  const ttfc = metrics.get('gen_ai.client.operation.time_to_first_chunk');
  assert.equal(ttfc?.unit, 's');
  assert.equal(count(ttfc, () => true), ok);
  assert.equal(metrics.get('gen_ai.client.operation.time_per_output_chunk')?.unit, 's');
  assert.equal(count(metrics.get('gen_ai.client.operation.time_per_output_chunk'), () => true), ok * 5, 'five gaps between six chunks');
  const tokens = metrics.get('gen_ai.client.token.usage');
  assert.equal(tokens?.unit, '{token}');
  assert.equal(count(tokens, (a) => a['gen_ai.token.type'] === 'output'), ok);
  assert.equal(count(tokens, (a) => a['gen_ai.token.type'] === 'input'), ok);
});
