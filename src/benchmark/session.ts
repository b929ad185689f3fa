import type { ClientConfig } from '../client/types.js';
import { listModels, probeConnectionReuse, probeExactOutputSupport, probeServerInfo, type ServerInfo } from '../client/index.js';
import { createClock, type Clock } from '../measure/clock.js';
import { assertWritableDir } from '../config/writable-path.js';
import { ConfigError } from '../config/errors.js';
import { openStore } from '../store/open-store.js';
import type { RunStore } from '../store/types.js';
import type { Workload } from '../workload/spec.js';
import { createSyntheticWorkload, runNonce } from '../workload/synthetic.js';
import { createTraceWorkload } from '../workload/trace-workload.js';
import { createConversationWorkload, createDatasetConversations } from '../workload/conversation.js';
import { calibrateWorkload, type Calibration } from '../workload/calibrate.js';
import { findServerTokenizer } from '../client/server-tokenizer.js';
import { loadDataset } from '../workload/dataset.js';
import { TOOL_VERSION } from '../version.js';
import { EventBus, type BenchmarkListener } from './events.js';
import type { BenchmarkOptions } from './options.js';
import { scrubSecrets, secretsOf } from './redact.js';
import { resolveBenchmarkConfig, type BenchmarkConfig } from './resolve-config.js';
import { locateMetrics, startServerView, type ServerView } from './server-view.js';
import { noMetricsNote } from '../server-metrics/index.js';
import { runStep, type StepPlan, type StepResult } from './step.js';
import type { SessionContext, SessionTarget } from './session-context.js';

export type { SessionContext, SessionTarget } from './session-context.js';
import { resolveTarget, type ResolvedTarget } from './target.js';

/** The version look-ups only fill the run's fingerprint: they never hold start-up longer than this. */
const INFO_TIMEOUT_CAP_MS = 5_000;

/**
 * A benchmark session: one target (a URL, or the embedded engine it started), one clock, one scraper of the
 * server's /metrics and one store, set up once; any number of steps (load profiles) run on it, each measured into
 * an ordinary run. A single `bench` is a session of one step; sweeps, capacity searches and the monitor's probes
 * are sessions of many.
 *
 * @example
 * const session = await openSession({ url: 'http://127.0.0.1:8000/v1', db: 'runs.db' });
 * try {
 *   for (const c of [1, 2, 4]) await session.runStep({ profile: { kind: 'concurrency', concurrency: c }, limits });
 * } finally { await session.close(); }
 */
export interface BenchmarkSession {
  readonly config: BenchmarkConfig;
  readonly target: SessionTarget;
  readonly clock: Clock;
  /** Subscribe to events of every step (progress, logs). */
  readonly events: EventBus;
  /** Measures one load profile into a run; the default plan is the session's own profile and limits. */
  runStep(plan?: Partial<StepPlan>, hooks?: { signal?: AbortSignal }): Promise<StepResult>;
  close(): Promise<void>;
}

export async function openSession(input: BenchmarkOptions, hooks: { onEvent?: BenchmarkListener } = {}): Promise<BenchmarkSession> {
  const config = resolveBenchmarkConfig(input);
  const o = config.options;
  const bus = new EventBus();
  if (hooks.onEvent) bus.subscribe(hooks.onEvent);
  const emit = bus.emit;
  // Workloads are read (and datasets validated) before any traffic; outputs are opened before the first request.
  const built = await buildWorkload(config, emit);
  const conv = config.workload.kind === 'synthetic' ? config.workload.conversation : null;
  // Conversations are built on the synthetic turns after calibration sized those.
  const wrap = (w: Workload): Workload => (conv ? createConversationWorkload(w, conv.turns, conv.thinkTimeMs) : w);
  let workload = wrap(built.workload);
  if (o.outDir) assertWritableDir(o.outDir, '--out');
  const store = o.db ? await openStore(o.db) : null;
  const secrets = secretsOf(o.apiKey, o.headers);

  let resolved: ResolvedTarget | null = null;
  let serverView: ServerView | null = null;
  try {
    resolved = await resolveTarget(o.url, o.engine, emit, { workload, limits: config.limits });
    emit({ type: 'phase', phase: 'probing' });
    const auth = { ...(o.apiKey ? { apiKey: o.apiKey } : {}), headers: { ...o.headers } };
    const model = o.model ?? resolved.embeddedModel ?? (await firstModel(resolved.baseUrl, { ...auth, timeoutMs: Math.min(o.timeouts.connect_ms + o.timeouts.ttft_ms, o.timeouts.total_ms) }));
    const clientConfig: ClientConfig = {
      baseUrl: resolved.baseUrl,
      api: o.api,
      model,
      ...auth,
      timeouts: o.timeouts,
      includeUsage: true,
      exactOutputFields: { ignore_eos: false, min_tokens: false },
      saveText: o.saveText,
      connections: 1,
    };
    const clock = createClock();
    // The field probe, what the server says about itself and where its metrics are: asked together, none waits
    // for another, each bounded by the --timeout-* values.
    const infoTimeoutMs = Math.min(o.timeouts.connect_ms + o.timeouts.ttft_ms, o.timeouts.total_ms, INFO_TIMEOUT_CAP_MS);
    const headers = { ...o.headers, ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) };
    const [, info, metrics, sized, reuse] = await Promise.all([
      // The in-process engine takes every optional field; llama-server, like any server, is probed.
      probeOptionalFields(config, clientConfig, resolved.embedded && resolved.backend === 'node-llama-cpp', emit),
      resolved.embedded
        ? Promise.resolve<ServerInfo>({ owned_by: 'inferscope', version: TOOL_VERSION, version_source: null })
        : probeServerInfo(resolved.baseUrl, model, { ...auth, timeoutMs: infoTimeoutMs }),
      locateMetrics(o, resolved.baseUrl),
      o.calibrate
        ? calibrated(built, { baseUrl: resolved.baseUrl, model, headers, timeoutMs: infoTimeoutMs, chat: o.api === 'chat' }, emit)
        : Promise.resolve({ workload: built.workload, calibration: null }),
      // A server that closes each connection after a streamed answer (llama-server does) gets one per request.
      o.probe ? probeConnectionReuse({ ...clientConfig }, { timeoutMs: infoTimeoutMs }) : Promise.resolve(true),
    ]);
    if (!reuse) clientConfig.reuseConnections = false;
    workload = wrap(sized.workload);
    if (info.version) info.version = scrubSecrets(info.version, secrets);
    if ('missing' in metrics) emit({ type: 'warning', message: noMetricsNote(metrics.missing, { server: info.owned_by ?? info.version ?? '' }) });
    const first = config.profile.kind === 'rate' ? config.profile.rate : undefined;
    serverView = await startServerView(
      { ...o, durationS: config.limits.durationS ?? undefined, requests: config.limits.requests ?? undefined, rate: first },
      metrics.urls,
      clock,
      emit,
    );
    const target: SessionTarget = {
      url: resolved.baseUrl,
      model,
      embedded: resolved.embedded,
      metricsUrls: serverView.urls,
      info,
      engine: resolved.embedded ? 'inferscope-embedded' : (serverView.engines()[0] ?? info.owned_by),
      ...(resolved.backend ? { backend: resolved.backend } : {}),
    };
    emit({ type: 'target', url: target.url, model, embedded: target.embedded, metricsUrls: serverView.urls });

    const ctx: SessionContext = { config, target, clock, bus, workload, clientConfig, serverView, store, secrets, steps: 0, specBase: 0, calibration: sized.calibration };
    const toClose = { resolved, serverView };
    let closed = false;
    return {
      config,
      target,
      clock,
      events: bus,
      runStep: (plan = {}, stepHooks = {}) =>
        runStep(ctx, { profile: config.profile, limits: config.limits, outDir: o.outDir ?? null, labels: {}, ...plan }, stepHooks),
      async close() {
        if (closed) return;
        closed = true;
        await closeAll(toClose.serverView, toClose.resolved, store);
      },
    };
  } catch (err) {
    await closeAll(serverView, resolved, store);
    throw withUrlHint(err, o.url);
  }
}

/**
 * A 404 from a URL without /v1 is almost always the missing API prefix: say so, as a usage error (exit 2).
 * OpenAI-compatible servers (vLLM, SGLang, TGI, llama.cpp, Ollama) serve under /v1.
 */
function withUrlHint(err: unknown, url: string | undefined): unknown {
  if (!url || /\/v1\/?$/.test(url)) return err;
  const status = (err as { status?: unknown } | null)?.status;
  const message = (err as Error | null)?.message ?? '';
  if (status !== 404 && !/\b404\b/.test(message)) return err;
  const suggestion = `${url.replace(/\/+$/, '')}/v1`;
  return new ConfigError('--url', `${message}\nhint: the URL has no /v1; OpenAI-compatible servers answer under it: --url ${suggestion}`, { cause: err });
}

async function closeAll(view: ServerView | null, target: ResolvedTarget | null, store: RunStore | null): Promise<void> {
  try {
    await view?.stop();
  } finally {
    try {
      await target?.close();
    } finally {
      await store?.close();
    }
  }
}

/** A few max_tokens=1 requests tell which optional fields the server accepts, so none of them breaks it. */
async function probeOptionalFields(config: BenchmarkConfig, clientConfig: ClientConfig, embedded: boolean, emit: BenchmarkListener): Promise<void> {
  const o = config.options;
  const onNote = (message: string): void => emit({ type: 'warning', message });
  const support = o.probe && !embedded ? await probeExactOutputSupport(clientConfig, { onNote }) : { ignore_eos: true, min_tokens: true, include_usage: true };
  clientConfig.includeUsage = support.include_usage;
  if ((config.workload.kind === 'trace' || (config.workload.kind === 'synthetic' && config.workload.output)) && o.exactOutput) {
    clientConfig.exactOutputFields = { ignore_eos: support.ignore_eos, min_tokens: support.min_tokens };
    if (!support.ignore_eos && !support.min_tokens && o.probe) {
      emit({ type: 'warning', message: 'the server accepts neither ignore_eos nor min_tokens: output lengths may fall short of --output-tokens' });
    }
  }
  if (!support.include_usage) {
    emit({ type: 'warning', message: 'the server rejects stream_options.include_usage: output tokens are counted by the client tokenizer' });
  }
}

/** The workload, and for synthetic prompts a maker of the same workload at another input scale (calibration). */
async function buildWorkload(
  config: BenchmarkConfig,
  emit: BenchmarkListener,
): Promise<{ workload: Workload; rescale: ((scale: number | undefined, offset: number) => Workload) | null }> {
  const o = config.options;
  // A fresh nonce per run keeps prompt caches from matching an earlier run's identical prompts.
  const nonce = o.reusePrompts ? undefined : runNonce();
  const w = config.workload;
  if (w.kind === 'synthetic') {
    const rescale = (scale: number | undefined, offset: number): Workload =>
      createSyntheticWorkload({
        inputTokens: w.input,
        outputTokens: w.output,
        seed: o.seed,
        exactOutput: o.exactOutput,
        ...(w.prefix ? { prefixGroups: w.prefix } : {}),
        ...(nonce ? { nonce } : {}),
        ...(scale !== undefined ? { inputScale: scale, inputOffset: offset } : {}),
      });
    return { workload: rescale(undefined, 0), rescale };
  }
  if (w.kind === 'trace') {
    if (w.trace.zeroOutputs > 0) emit({ type: 'warning', message: `${w.trace.zeroOutputs} trace entries have 0 output tokens; they are sent with max_tokens 1` });
    const name = `trace(${w.trace.path}, ${w.trace.entries.length} requests${o.timeScale !== 1 ? `, time x${o.timeScale}` : ''})`;
    const rescale = (scale: number | undefined, offset: number): Workload =>
      createTraceWorkload({ entries: w.trace.entries, seed: o.seed, exactOutput: o.exactOutput, name, ...(nonce ? { nonce } : {}), ...(scale !== undefined ? { inputScale: scale, inputOffset: offset } : {}) });
    return { workload: rescale(undefined, 0), rescale };
  }
  const loaded = await loadDataset(w.path, {
    skipBadLines: o.skipBadLines,
    seed: o.seed,
    exactOutput: o.exactOutput,
    ...(nonce ? { nonce } : {}),
    ...(o.datasetFormat ? { format: o.datasetFormat } : {}),
  });
  if (loaded.skipped > 0) emit({ type: 'warning', message: `skipped ${loaded.skipped} bad lines of ${w.path}` });
  for (const warning of loaded.warnings) emit({ type: 'warning', message: warning });
  if (w.conversations) {
    if (!loaded.entries.some((e) => e.turns && e.turns.length > 0)) {
      throw new ConfigError('conversations', `--conversations: ${w.path} has no conversations (a ShareGPT file of human/gpt turns is expected)`);
    }
    const opts = { seed: o.seed, exactOutput: o.exactOutput, thinkTimeMs: w.conversations.thinkTimeMs, ...(nonce ? { nonce } : {}) };
    return { workload: createDatasetConversations(w.path, loaded.entries, opts), rescale: null };
  }
  return { workload: loaded.workload, rescale: null };
}

/**
 * Sizes synthetic prompts on the server's own tokenizer when it has a /tokenize endpoint; otherwise the prompts
 * stay sized in client tokens and the run warns afterwards if the server counted them very differently.
 */
async function calibrated(
  built: { workload: Workload; rescale: ((scale: number | undefined, offset: number) => Workload) | null },
  target: { baseUrl: string; model: string; headers: Record<string, string>; timeoutMs: number; chat: boolean },
  emit: BenchmarkListener,
): Promise<{ workload: Workload; calibration: Calibration | null }> {
  if (!built.rescale) return { workload: built.workload, calibration: null };
  const tok = await findServerTokenizer(target.baseUrl, target.model, target.headers, target.timeoutMs);
  if (!tok) return { workload: built.workload, calibration: null };
  try {
    // A chat template adds the same tokens to every prompt: measured once, where the endpoint can template.
    let template = 0;
    if (target.chat) {
      const probe = 'Hello';
      const [chat, bare] = await Promise.all([tok.countChat([{ role: 'user', content: probe }]), tok.count(probe)]);
      if (chat !== null && chat > bare) template = chat - bare;
    }
    const out = await calibrateWorkload(built.rescale, tok.count, tok, template);
    const c = out.calibration;
    emit({ type: 'info', message: `prompt lengths calibrated on ${c.endpoint}: ${c.ratio.toFixed(2)} server tokens per client token, now within ${Math.abs(c.error_pct).toFixed(1)}%` });
    return out;
  } catch (err) {
    emit({ type: 'warning', message: `prompt length calibration on ${tok.url} failed (${(err as Error).message}): lengths are in client tokens` });
    return { workload: built.workload, calibration: null };
  }
}

async function firstModel(baseUrl: string, auth: { apiKey?: string; headers: Record<string, string>; timeoutMs: number }): Promise<string> {
  const ids = await listModels(baseUrl, auth);
  if (ids.length === 0) throw new Error(`${baseUrl}/models lists no model; pass --model`);
  return ids[0]!;
}
