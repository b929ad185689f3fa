import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the Debian/Ubuntu package puts the binary (CI installs it with apt-get); PROMETHEUS_BIN overrides. */
export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

/** True when a Prometheus binary is there to start. */
export function prometheusAvailable(): boolean {
  return existsSync(PROMETHEUS_BIN);
}

/** One series of a query answer: a vector element has one point, a matrix series many. Times in wall-clock ms. */
export interface PromSeries {
  labels: Record<string, string>;
  points: [t_ms: number, value: number][];
}

export interface PrometheusOptions {
  /** host:port of each /metrics target. */
  targets: string[];
  scrapeIntervalS: number;
  /** How long to wait for /-/ready (ms, default 30 000). */
  readyTimeoutMs?: number;
  /** More scrape jobs beside `target` (e.g. the monitor as job `inferscope`, a server as job `vllm`). */
  extraJobs?: Array<{ name: string; targets: string[] }>;
  /** Rule files to load (absolute paths), evaluated every `evaluationIntervalS` (default: the scrape interval). */
  ruleFiles?: string[];
  evaluationIntervalS?: number;
}

export interface PrometheusInstance {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:40123 */
  url: string;
  /** Instant query (GET /api/v1/query) at `timeSec` (wall-clock seconds, ms precision; default now). */
  query(promql: string, timeSec?: number): Promise<PromSeries[]>;
  /** Range query (GET /api/v1/query_range). */
  queryRange(promql: string, startSec: number, endSec: number, stepSec: number): Promise<PromSeries[]>;
  /**
   * Waits until every target has at least `n` successful scrapes stored with a timestamp after `afterMs`
   * (wall-clock ms; default: any time). Resolves to each target's scrape timestamps (ms), keyed by host:port.
   */
  waitForScrapes(n: number, opts?: { afterMs?: number; timeoutMs?: number }): Promise<Record<string, number[]>>;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and removes its temp dir. Idempotent. */
  close(): Promise<void>;
}

export class PrometheusError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PrometheusError';
  }
}

/** Prometheus renders values with Go's FormatFloat: "NaN", "+Inf", "-Inf" or a plain decimal. */
export function parsePromValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const v = Number(s);
  if (Number.isNaN(v)) throw new PrometheusError(`unexpected sample value ${JSON.stringify(s)}`);
  return v;
}

// API timestamps are float seconds with ms resolution; rounding undoes the float noise.
const toMs = (t: number): number => Math.round(t * 1000);
const toSecParam = (sec: number): string => (Math.round(sec * 1000) / 1000).toFixed(3);

interface ApiAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: unknown };
}

function toSeries(data: { resultType: string; result: unknown }): PromSeries[] {
  type Pair = [number, string];
  switch (data.resultType) {
    case 'vector':
      return (data.result as { metric: Record<string, string>; value: Pair }[]).map((r) => ({
        labels: r.metric,
        points: [[toMs(r.value[0]), parsePromValue(r.value[1])]],
      }));
    case 'matrix':
      return (data.result as { metric: Record<string, string>; values: Pair[] }[]).map((r) => ({
        labels: r.metric,
        points: r.values.map(([t, v]) => [toMs(t), parsePromValue(v)] as [number, number]),
      }));
    case 'scalar': {
      const [t, v] = data.result as Pair;
      return [{ labels: {}, points: [[toMs(t), parsePromValue(v)]] }];
    }
    default:
      throw new PrometheusError(`unsupported result type ${data.resultType}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function writeConfig(dir: string, o: PrometheusOptions): string {
  const interval = `${Math.round(o.scrapeIntervalS * 1000)}ms`;
  const yml = [
    'global:',
    `  scrape_interval: ${interval}`,
    // Prometheus rejects a timeout longer than the interval (its default is 10 s).
    `  scrape_timeout: ${interval}`,
    `  evaluation_interval: ${Math.round((o.evaluationIntervalS ?? o.scrapeIntervalS) * 1000)}ms`,
    ...(o.ruleFiles?.length ? ['rule_files:', ...o.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : []),
    'scrape_configs:',
    ...[{ name: 'target', targets: o.targets }, ...(o.extraJobs ?? [])].flatMap((job) => [
      `  - job_name: ${job.name}`,
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: [${job.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    ]),
    '',
  ].join('\n');
  const path = join(dir, 'prometheus.yml');
  writeFileSync(path, yml);
  return path;
}

/**
 * Starts a real Prometheus on loopback that scrapes `targets`, with its config and TSDB in a temp dir, and waits
 * until it is ready. Note that Prometheus takes ~5 s (its service-discovery update interval) before the first
 * scrape; use `waitForScrapes`.
 *
 * @example
 * const prom = await startPrometheus({ targets: ['127.0.0.1:8000'], scrapeIntervalS: 1 });
 * t.after(() => prom.close());
 * await prom.waitForScrapes(2);
 * const [s] = await prom.query('vllm:generation_tokens_total');
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusInstance> {
  if (options.targets.length === 0) throw new PrometheusError('startPrometheus: targets is empty');
  if (!(options.scrapeIntervalS > 0)) throw new PrometheusError(`startPrometheus: scrapeIntervalS must be > 0, got ${options.scrapeIntervalS}`);
  if (!prometheusAvailable()) throw new PrometheusError(`no Prometheus binary at ${PROMETHEUS_BIN}`);
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-prom-'));
  let lastError: unknown;
  // The free port can be taken between probing and Prometheus binding it: retry on a fresh one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(dir, port, options);
    } catch (err) {
      lastError = err;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new PrometheusError('Prometheus did not start', { cause: lastError });
}

async function launch(dir: string, port: number, options: PrometheusOptions): Promise<PrometheusInstance> {
  const configPath = writeConfig(dir, options);
  const storage = join(dir, `data-${port}`);
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  // A test runner that dies must not leave Prometheus behind.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const url = `http://127.0.0.1:${port}`;
  let closed = false;
  const stop = async (removeDir: boolean): Promise<void> => {
    if (!closed) {
      closed = true;
      process.removeListener('exit', killOnExit);
      if (!exited) {
        await new Promise<void>((done) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          child.kill('SIGTERM');
        });
      }
    }
    rmSync(storage, { recursive: true, force: true });
    if (removeDir) rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      await stop(false);
      throw new PrometheusError(`Prometheus exited before it was ready:\n${stderr.trim()}`);
    }
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop(false);
      throw new PrometheusError(`Prometheus was not ready within ${options.readyTimeoutMs ?? 30_000} ms:\n${stderr.trim()}`);
    }
    await sleep(100);
  }

  const api = async (path: string, params: Record<string, string>): Promise<PromSeries[]> => {
    const qs = new URLSearchParams(params).toString();
    let body: ApiAnswer;
    try {
      const res = await fetch(`${url}${path}?${qs}`, { signal: AbortSignal.timeout(10_000) });
      body = (await res.json()) as ApiAnswer;
    } catch (err) {
      throw new PrometheusError(`${path} ${params.query ?? ''} failed`, { cause: err });
    }
    if (body.status !== 'success' || !body.data) {
      throw new PrometheusError(`${path} ${params.query ?? ''}: ${body.error ?? 'no data'}`);
    }
    return toSeries(body.data);
  };

  const query = (promql: string, timeSec?: number): Promise<PromSeries[]> =>
    api('/api/v1/query', { query: promql, ...(timeSec !== undefined ? { time: toSecParam(timeSec) } : {}) });

  return {
    url,
    query,
    queryRange: (promql, startSec, endSec, stepSec) =>
      api('/api/v1/query_range', { query: promql, start: toSecParam(startSec), end: toSecParam(endSec), step: String(stepSec) }),
    async waitForScrapes(n, opts = {}) {
      const afterMs = opts.afterMs ?? -Infinity;
      const timeoutMs = opts.timeoutMs ?? 20_000;
      const until = Date.now() + timeoutMs;
      for (;;) {
        // `up` gets one sample per scrape attempt; 1 means the target answered and its samples were stored.
        const series = await query('up[10m]');
        const times: Record<string, number[]> = {};
        for (const t of options.targets) times[t] = [];
        for (const s of series) {
          const inst = s.labels.instance;
          if (inst === undefined || !(inst in times)) continue;
          times[inst]!.push(...s.points.filter(([t, v]) => v === 1 && t > afterMs).map(([t]) => t));
        }
        if (Object.values(times).every((ts) => ts.length >= n)) return times;
        if (Date.now() > until) {
          throw new PrometheusError(`Prometheus did not scrape ${options.targets.join(', ')} ${n} times within ${timeoutMs} ms (got ${JSON.stringify(times)})`);
        }
        await sleep(200);
      }
    },
    close: () => stop(true),
  };
}
