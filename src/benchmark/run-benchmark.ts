import { join } from 'node:path';
import { writeFileSync, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createClock } from '../measure/clock.js';
import type { RequestRecord } from '../measure/record.js';
import { roundRecordTimes } from '../measure/round-times.js';
import type { ClientConfig } from '../client/types.js';
import { createOpenAIClient, listModels, probeExactOutputSupport, probeServerInfo } from '../client/index.js';
import { runLoad } from '../load/runner.js';
import { summarize } from '../stats/summary.js';
import { evaluateThresholds } from '../config/threshold.js';
import { buildResults, type ResultsDocument } from '../results/results-document.js';
import type { Workload } from '../workload/spec.js';
import { createSyntheticWorkload } from '../workload/synthetic.js';
import { loadDataset } from '../workload/dataset.js';
import type { BenchmarkListener } from './events.js';
import { openJsonlWriter, type JsonlWriter } from './jsonl-writer.js';
import type { BenchmarkOptions } from './options.js';
import { redactHeaders, scrubSecrets } from './redact.js';
import { resolveBenchmarkConfig, type BenchmarkConfig } from './resolve-config.js';
import { resolveTarget } from './target.js';
import { startServerView, type ServerView } from './server-view.js';
import { openRunRecorder, type RunRecorder } from './run-recorder.js';
import { TOOL_VERSION } from '../version.js';

export interface BenchmarkResult {
  results: ResultsDocument;
  /** Every record of the run, warm-up included, in completion order. */
  records: RequestRecord[];
  /** False when a --threshold was broken. */
  thresholdsPassed: boolean;
  status: 'completed' | 'interrupted' | 'invalid';
}

export interface RunBenchmarkHooks {
  onEvent?: BenchmarkListener;
  /** Abort = stop sending, finish or abort in-flight requests, and still write results. */
  signal?: AbortSignal;
}

/**
 * Runs one benchmark: validates everything first, resolves the target (or starts the embedded engine), sends the
 * workload under the load profile, scrapes the server's /metrics alongside, and derives the results.
 *
 * @example
 * const { results } = await runBenchmark({ url: 'http://127.0.0.1:8000/v1', concurrency: 8, requests: 200 });
 * console.log(results.summary.ttft_ms.p99);
 */
export async function runBenchmark(input: BenchmarkOptions, hooks: RunBenchmarkHooks = {}): Promise<BenchmarkResult> {
  const config = resolveBenchmarkConfig(input);
  const emit: BenchmarkListener = hooks.onEvent ?? (() => {});
  const o = config.options;
  // Workloads are read (and datasets validated) before any traffic.
  const workload = await buildWorkload(config, emit);

  const target = await resolveTarget(o.url, o.engine, emit);
  let client: ReturnType<typeof createOpenAIClient> | null = null;
  let jsonl: JsonlWriter | null = null;
  let recorder: RunRecorder | null = null;
  let serverView: ServerView | null = null;
  try {
    emit({ type: 'phase', phase: 'probing' });
    const headers = { ...o.headers };
    const model = o.model ?? target.embeddedModel ?? (await firstModel(target.baseUrl, o.apiKey, headers));
    const peak =
      config.profile.kind === 'concurrency'
        ? config.profile.concurrency
        : (config.profile.maxConcurrency ?? 512);
    const clientConfig: ClientConfig = {
      baseUrl: target.baseUrl,
      api: o.api,
      model,
      ...(o.apiKey ? { apiKey: o.apiKey } : {}),
      headers,
      timeouts: o.timeouts,
      includeUsage: true,
      exactOutputFields: { ignore_eos: false, min_tokens: false },
      saveText: o.saveText,
      connections: Math.max(1, peak),
    };
    // A few max_tokens=1 requests tell which optional fields the server accepts, so none of them breaks it.
    const support =
      o.probe && !target.embedded
        ? await probeExactOutputSupport(clientConfig)
        : { ignore_eos: true, min_tokens: true, include_usage: true };
    clientConfig.includeUsage = support.include_usage;
    if (config.workload.kind === 'synthetic' && config.workload.output && o.exactOutput) {
      clientConfig.exactOutputFields = { ignore_eos: support.ignore_eos, min_tokens: support.min_tokens };
      if (!support.ignore_eos && !support.min_tokens) {
        emit({ type: 'warning', message: 'the server accepts neither ignore_eos nor min_tokens: output lengths may fall short of --output-tokens' });
      }
    }
    if (!support.include_usage) {
      emit({ type: 'warning', message: 'the server rejects stream_options.include_usage: output tokens are counted by the client tokenizer' });
    }

    const clock = createClock();
    serverView = await startServerView(o, target.baseUrl, clock, emit);
    emit({ type: 'target', url: target.baseUrl, model, embedded: target.embedded, metricsUrls: serverView.urls });

    const startedAt = new Date();
    const redactedConfig = redactConfig(o);
    if (o.outDir) {
      mkdirSync(o.outDir, { recursive: true });
      jsonl = openJsonlWriter(join(o.outDir, 'requests.jsonl'));
    }
    const info = target.embedded
      ? { owned_by: 'inferscope', version: TOOL_VERSION, version_source: null }
      : await probeServerInfo(target.baseUrl, model, { ...(o.apiKey ? { apiKey: o.apiKey } : {}), headers });
    recorder = o.db
      ? openRunRecorder(o.db, {
          config: redactedConfig,
          labels: o.labels,
          toolVersion: TOOL_VERSION,
          targetUrl: target.baseUrl,
          modelId: model,
          engine: target.embedded ? 'inferscope-embedded' : (serverView.engines()[0] ?? info.owned_by),
          engineVersion: info.version,
          extra: { model_owned_by: info.owned_by, engine_version_source: info.version_source, metrics_engines: serverView.engines() },
        })
      : null;

    const runId = recorder?.runId ?? randomUUID().replace(/-/g, '').slice(0, 10);
    client = createOpenAIClient(clientConfig, clock);
    const activeClient = client;
    const secrets = [o.apiKey];
    if (config.limits.warmup > 0) emit({ type: 'phase', phase: 'warmup' });
    const load = await runLoad({
      profile: config.profile,
      limits: config.limits,
      seed: o.seed,
      clock,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      send: (req, signal) => activeClient.send(workload.spec(req.index), { index: req.index, warmup: req.warmup, t_sched: req.t_sched, signal }),
      onRecord: (record) => {
        roundRecordTimes(record);
        if (record.error) record.error.message = scrubSecrets(record.error.message, secrets);
        jsonl?.write(record);
        recorder?.add(record);
        emit({ type: 'request', record });
      },
      onMeasuringStart: () => {
        if (config.limits.warmup > 0) serverView?.markMeasuringStart();
        emit({ type: 'phase', phase: 'measuring' });
      },
    });
    emit({ type: 'phase', phase: 'draining' });
    const serverSummary = await serverView.finish({ start: load.measuredStart, end: load.measuredEnd });

    const measured = load.records.filter((r) => !r.warmup);
    const summary = summarize(measured, {
      ...(config.slo ? { slo: config.slo } : {}),
      sloTpotNaIsGood: o.sloTpotNaIsGood,
      fidelity: load.fidelity,
      ...(o.prices ? { prices: o.prices } : {}),
    });
    const server = serverSummary ? serverView.withCrossCheck(serverSummary, summary) : null;
    const thresholdOutcome = config.thresholds.length > 0 ? evaluateThresholds(config.thresholds, summary) : null;
    const status: BenchmarkResult['status'] = load.stoppedEarly ? 'interrupted' : load.fidelity.valid ? 'completed' : 'invalid';
    const results = buildResults({
      id: runId,
      startedAt,
      endedAt: new Date(),
      config: redactedConfig,
      target: { url: target.baseUrl, model, api: o.api, embedded: target.embedded },
      summary,
      status,
      ...(thresholdOutcome ? { thresholds: thresholdOutcome } : {}),
      ...(server ? { server } : {}),
    });
    if (o.outDir) {
      writeFileSync(join(o.outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
      if (server) serverView.writeSamples(join(o.outDir, 'server-samples.jsonl'));
    }
    recorder?.finish(status, results, serverView.rawSamples());
    emit({ type: 'phase', phase: 'done' });
    return { results, records: load.records, thresholdsPassed: thresholdOutcome?.passed ?? true, status };
  } finally {
    jsonl?.close();
    recorder?.close();
    await serverView?.stop();
    await client?.close();
    await target.close();
  }
}

async function buildWorkload(config: BenchmarkConfig, emit: BenchmarkListener): Promise<Workload> {
  const o = config.options;
  if (config.workload.kind === 'synthetic') {
    return createSyntheticWorkload({
      inputTokens: config.workload.input,
      outputTokens: config.workload.output,
      seed: o.seed,
      exactOutput: o.exactOutput,
    });
  }
  const loaded = await loadDataset(config.workload.path, {
    skipBadLines: o.skipBadLines,
    seed: o.seed,
    exactOutput: o.exactOutput,
    ...(o.datasetFormat ? { format: o.datasetFormat } : {}),
  });
  if (loaded.skipped > 0) emit({ type: 'warning', message: `skipped ${loaded.skipped} bad lines of ${config.workload.path}` });
  for (const w of loaded.warnings) emit({ type: 'warning', message: w });
  return loaded.workload;
}

async function firstModel(baseUrl: string, apiKey: string | undefined, headers: Record<string, string>): Promise<string> {
  const ids = await listModels(baseUrl, { ...(apiKey ? { apiKey } : {}), headers, timeoutMs: 10_000 });
  if (ids.length === 0) throw new Error(`${baseUrl}/models lists no model; pass --model`);
  return ids[0]!;
}

/** The run's config as stored and reported: the key is never included, secret headers are masked. */
function redactConfig(o: BenchmarkConfig['options']): Record<string, unknown> {
  const { apiKey, ...rest } = o;
  return { ...rest, headers: redactHeaders(o.headers), api_key: apiKey ? '[redacted]' : null };
}
