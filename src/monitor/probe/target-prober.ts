import { createOpenAIClient, listModels } from '../../client/index.js';
import { classifyNetworkError } from '../../client/errors.js';
import type { ClientConfig, InferenceClient } from '../../client/types.js';
import { scrubRecord, scrubSecrets, secretsOf } from '../../benchmark/redact.js';
import type { Clock } from '../../measure/clock.js';
import type { RequestRecord } from '../../measure/record.js';
import { roundRecordTimes } from '../../measure/round-times.js';
import type { RequestSpec } from '../../workload/spec.js';
import type { MonitorProbe, MonitorTarget } from '../config/monitor-config.js';
import { createProbePrompts } from './probe-prompt.js';

/** Connect timeout of a probe: its whole timeout when that is shorter. */
const CONNECT_TIMEOUT_MS = 10_000;
const MODELS_TIMEOUT_MS = 10_000;

export interface ProbeSend {
  /** The instance's probe sequence number (the record's index). */
  index: number;
  /** When the schedule wanted the probe sent, on the monitor clock. */
  t_sched: number;
  signal?: AbortSignal;
}

/**
 * Sends the probes of one target through the same streaming client bench uses, one client per probe definition
 * (each has its own timeouts), one connection each: probes of a target never overlap. Records are finished the
 * way a benchmark step finishes them (times rounded, secrets scrubbed, wall-clock anchor set), so a probe's record
 * is a bench record.
 */
export class TargetProber {
  readonly #clients = new Map<string, { client: InferenceClient; prompts: ReturnType<typeof createProbePrompts> }>();
  readonly #secrets: string[];
  #model: string | null;

  constructor(
    readonly target: MonitorTarget,
    readonly probes: readonly MonitorProbe[],
    private readonly clock: Clock,
    private readonly apiKey: string | undefined,
  ) {
    this.#model = target.model;
    this.#secrets = secretsOf(apiKey, target.headers);
  }

  get model(): string | null {
    return this.#model;
  }

  async send(probe: MonitorProbe, ctx: ProbeSend): Promise<RequestRecord> {
    const t_sched = ctx.t_sched;
    let record: RequestRecord;
    const model = this.#model ?? (await this.#resolveModel(ctx, probe));
    if (typeof model !== 'string') {
      record = model;
    } else {
      const { client, prompts } = this.#clientFor(probe, model);
      const spec: RequestSpec = prompts(ctx.index);
      record = await client.send(spec, { index: ctx.index, warmup: false, t_sched, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    }
    roundRecordTimes(record);
    scrubRecord(record, this.#secrets);
    record.clock_epoch_ms = this.clock.epochMs;
    return record;
  }

  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.allSettled(clients.map((c) => c.client.close()));
  }

  #clientFor(probe: MonitorProbe, model: string): { client: InferenceClient; prompts: ReturnType<typeof createProbePrompts> } {
    let entry = this.#clients.get(probe.name);
    if (!entry) {
      const t = this.target;
      const config: ClientConfig = {
        baseUrl: t.url,
        api: t.api,
        model,
        ...(this.apiKey ? { apiKey: this.apiKey } : {}),
        headers: { ...t.headers },
        timeouts: {
          connect_ms: Math.min(CONNECT_TIMEOUT_MS, probe.timeoutMs),
          ttft_ms: probe.timeoutMs,
          idle_ms: probe.timeoutMs,
          total_ms: probe.timeoutMs,
        },
        includeUsage: true,
        exactOutputFields: { ignore_eos: false, min_tokens: false },
        saveText: false,
        connections: 1,
      };
      entry = { client: createOpenAIClient(config, this.clock), prompts: createProbePrompts(probe.inputTokens, probe.outputTokens) };
      this.#clients.set(probe.name, entry);
    }
    return entry;
  }

  /** The first model of /models; until it answers, each probe is a failed record classified like a request error. */
  async #resolveModel(ctx: ProbeSend, probe: MonitorProbe): Promise<string | RequestRecord> {
    const t_send = this.clock.now();
    try {
      const ids = await listModels(this.target.url, {
        ...(this.apiKey ? { apiKey: this.apiKey } : {}),
        headers: this.target.headers,
        timeoutMs: Math.min(MODELS_TIMEOUT_MS, probe.timeoutMs),
      });
      if (ids.length === 0) return this.#failed(ctx, t_send, 'unknown', `${this.target.url}/models lists no model; set model:`);
      this.#model = ids[0]!;
      return this.#model;
    } catch (err) {
      const status = (err as { status?: number }).status;
      const cls = status ? (status === 429 ? 'http_429' : status >= 500 ? 'http_5xx' : 'http_4xx') : classifyNetworkError((err as Error).cause ?? err);
      const message = scrubSecrets((err as Error).message, this.#secrets);
      return this.#failed(ctx, t_send, cls === 'aborted' ? 'timeout_total' : cls, message, status);
    }
  }

  #failed(ctx: ProbeSend, t_send: number, cls: NonNullable<RequestRecord['error']>['class'], message: string, status?: number): RequestRecord {
    return {
      index: ctx.index,
      warmup: false,
      t_sched: ctx.t_sched,
      t_send,
      t_headers: null,
      t_end: this.clock.now(),
      chunks: [],
      ok: false,
      error: { class: cls, message, ...(status ? { status } : {}) },
      http_status: status ?? null,
      finish_reason: null,
      input_tokens: null,
      input_tokens_source: null,
      output_tokens: null,
      output_tokens_source: null,
      requested_output_tokens: null,
      output_chars: 0,
    };
  }
}
