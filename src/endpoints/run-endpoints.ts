/**
 * `compare-endpoints`: the same workload against several endpoints, one after another (never overlapping), each
 * an ordinary stored run labelled `endpoints=<id>`, `endpoint=<name>`, `shape=<in/out>`; one row per endpoint and
 * shape, with scaling figures where GPU counts are given.
 */
import { randomUUID } from 'node:crypto';
import { runBenchmark } from '../benchmark/run-benchmark.js';
import type { BenchmarkListener } from '../benchmark/events.js';
import type { BenchmarkOptions } from '../benchmark/options.js';
import { ConfigError } from '../config/errors.js';
import { addScaling, endpointRow, type EndpointRow } from './endpoint-row.js';

export interface EndpointTarget {
  name: string;
  url: string;
  model?: string;
  /** API key, read from the target's environment variable by the caller. */
  apiKey?: string;
  gpus?: number;
}

export interface WorkloadShape {
  /** e.g. "100/300" */
  label: string;
  inputTokens: string;
  outputTokens: string;
}

export interface EndpointsOptions {
  targets: EndpointTarget[];
  /** Empty: the benchmark options' own workload (its --input-tokens/--output-tokens or --dataset). */
  shapes: WorkloadShape[];
  /** Everything else of a bench run (load, limits, SLOs, prices, store, labels). */
  benchmark: BenchmarkOptions;
}

export interface EndpointsDocument {
  id: string;
  created_at: string;
  status: 'completed' | 'interrupted';
  shapes: string[];
  rows: EndpointRow[];
}

/** Named shapes: a short chat answer and a long-context, long-answer request. */
export const SHAPE_PRESETS: Record<string, string> = { chat: '100/300', long: '1k/1k' };

/** `IN/OUT` token lengths, e.g. 100/300, 1k/1k or 100-in/300-out, or a preset name (chat, long). */
export function parseShape(text: string, flag = '--shape'): WorkloadShape {
  const spelled = (SHAPE_PRESETS[text.trim().toLowerCase()] ?? text).replace(/-in\s*\//i, '/').replace(/-out\s*$/i, '');
  const m = /^\s*(\d+(?:\.\d+)?k?)\s*\/\s*(\d+(?:\.\d+)?k?)\s*$/i.exec(spelled);
  const n = (x: string): number => Math.round(parseFloat(x) * (/k$/i.test(x) ? 1000 : 1));
  if (!m || n(m[1]!) < 1 || n(m[2]!) < 1) throw new ConfigError(flag, `${flag}: give input/output tokens like 100/300, 1k/1k or 100-in/300-out, or a preset (chat = 100/300, long = 1k/1k), got ${JSON.stringify(text)}`);
  const input = n(m[1]!);
  const output = n(m[2]!);
  return { label: `${input}/${output}`, inputTokens: String(input), outputTokens: String(output) };
}

export async function runEndpoints(
  options: EndpointsOptions,
  hooks: { onEvent?: BenchmarkListener; onRow?: (row: EndpointRow) => void; signal?: AbortSignal } = {},
): Promise<EndpointsDocument> {
  const names = new Set<string>();
  for (const t of options.targets) {
    if (names.has(t.name)) throw new ConfigError('--target', `--target: the name ${JSON.stringify(t.name)} is given twice`);
    names.add(t.name);
  }
  if (options.targets.length === 0) throw new ConfigError('--target', 'compare-endpoints needs at least one --target NAME=URL');
  if (options.shapes.length > 0 && options.benchmark.dataset) throw new ConfigError('--shape', '--shape sets synthetic lengths; a --dataset brings its own prompts');
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const shapes = options.shapes.length > 0 ? options.shapes : [null];
  const doc: EndpointsDocument = { id, created_at: new Date().toISOString(), status: 'completed', shapes: [], rows: [] };
  for (const shape of shapes) {
    const label = shape?.label ?? (options.benchmark.dataset ? 'dataset' : `${options.benchmark.inputTokens ?? 'default'}/${options.benchmark.outputTokens ?? 'default'}`);
    doc.shapes.push(label);
    const rows: EndpointRow[] = [];
    for (const t of options.targets) {
      if (hooks.signal?.aborted) {
        doc.status = 'interrupted';
        return doc;
      }
      const { results, records } = await runBenchmark(
        {
          ...options.benchmark,
          url: t.url,
          ...(t.model ? { model: t.model } : {}),
          ...(t.apiKey ? { apiKey: t.apiKey } : {}),
          ...(shape ? { inputTokens: shape.inputTokens, outputTokens: shape.outputTokens } : {}),
          labels: { ...(options.benchmark.labels ?? {}), endpoints: id, endpoint: t.name, shape: label },
        },
        { ...(hooks.onEvent ? { onEvent: hooks.onEvent } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) },
      );
      const row = endpointRow({ name: t.name, url: t.url, gpus: t.gpus ?? null }, label, { id: results.run.id, model: results.run.target.model, summary: results.summary, records });
      rows.push(row);
      hooks.onRow?.(row);
    }
    addScaling(rows);
    doc.rows.push(...rows);
  }
  return doc;
}
