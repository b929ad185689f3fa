import { redactPgUrl } from '../store/postgres/pg-url.js';
import { diagnoseRun } from '../analysis/diagnose-run.js';
import { isConversationWorkload } from '../workload/conversation.js';
import { conversationSender } from './conversation-send.js';
import { scoreRecords } from '../measure/quality.js';
import { createOpenAIClient } from '../client/index.js';
import { evaluateThresholds } from '../config/threshold.js';
import type { RequestRecord } from '../measure/record.js';
import { roundRecordTimes } from '../measure/round-times.js';
import { runLoad } from '../load/runner.js';
import type { LoadProfile, RunLimits } from '../load/types.js';
import { buildResults, type ResultsDocument } from '../results/results-document.js';
import { summarize } from '../stats/summary.js';
import { summarizeAggregate } from '../stats/aggregate-summary.js';
import { RunAggregate } from '../stats/run-aggregate.js';
import { parseRecordsPolicy, retainRule } from './records-policy.js';
import { clearlyFailing, runOutcome } from '../stats/outcome.js';
import { saturation } from '../stats/saturation.js';
import { promptLengthWarning } from '../stats/length-check.js';
import type { ValidatedOptions } from './options.js';
import { redactHeaders, scrubRecord } from './redact.js';
import type { SessionContext } from './session-context.js';
import { openStepOutputs } from './step-outputs.js';
import { CHECKPOINT_EVERY_MS } from '../results/aggregate-checkpoint.js';

/** One measured load profile of a session. */
export interface StepPlan {
  profile: LoadProfile;
  limits: RunLimits;
  /** Labels of the step's run, over the session's own. */
  labels: Record<string, string>;
  /** Directory for results.json and requests.jsonl; null for none. */
  outDir: string | null;
  /** Open loops: stop sending once the server is clearly not keeping up (a sweep's over-saturated step). */
  stopWhenSaturated?: boolean;
}

/** Measured requests between live saturation checks, and the fewest a verdict needs. */
const SATURATION_CHECK_EVERY = 8;
const SATURATION_MIN_REQUESTS = 24;

export interface StepResult {
  results: ResultsDocument;
  /** Every record of the step, warm-up included, in completion order. */
  records: RequestRecord[];
  /** False when a --threshold was broken. */
  thresholdsPassed: boolean;
  status: 'completed' | 'interrupted' | 'invalid';
}

/** The most requests a step can have in flight: its connection count. */
const OPEN_LOOP_DEFAULT_PEAK = 512;

/**
 * Runs one step: opens its outputs, sends the workload under the plan's load profile, and derives the run's
 * results from its records and the server's /metrics over the measured window. Abort `signal` to stop sending;
 * finished requests are kept and the results are still written.
 */
export async function runStep(ctx: SessionContext, plan: StepPlan, hooks: { signal?: AbortSignal }): Promise<StepResult> {
  const { config, clock, bus, target } = ctx;
  const o = config.options;
  const emit = bus.emit;
  const startedAt = new Date();
  const stepConfig = { ...configForStep(o, plan), ...(ctx.calibration ? { inputCalibration: ctx.calibration } : {}) };
  const outputs = await openStepOutputs(ctx, plan.outDir, stepConfig, { ...o.labels, ...plan.labels });
  const unsubscribe = bus.subscribe(outputs.listener);
  const peak = plan.profile.kind === 'concurrency' ? plan.profile.concurrency : (plan.profile.maxConcurrency ?? OPEN_LOOP_DEFAULT_PEAK);
  const client = createOpenAIClient({ ...ctx.clientConfig, connections: Math.max(1, peak) }, clock);
  const specBase = ctx.specBase;
  try {
    const serverStep = await ctx.serverView.beginStep();
    emit({ type: 'step', runId: outputs.runId, index: ctx.steps++, plannedRequests: plan.limits.requests, durationS: plan.limits.durationS });
    if (plan.limits.warmup > 0) emit({ type: 'phase', phase: 'warmup' });
    // The circuit breaker: a run clearly failing (beyond doubt above --max-error-rate) stops sending.
    const breaker = new AbortController();
    const seen = { completed: 0, failed: 0 };
    const measuredSoFar: RequestRecord[] = [];
    const watchSaturation = plan.stopWhenSaturated === true && plan.profile.kind === 'rate';
    const retain = retainRule(parseRecordsPolicy(o.records));
    const aggregate = retain ? new RunAggregate({ slo: config.slo ?? null, tpotNaIsGood: o.sloTpotNaIsGood }) : null;
    let nextIndex = 0;
    let saturatedEarly = false;
    const signal = hooks.signal ? AbortSignal.any([hooks.signal, breaker.signal]) : breaker.signal;
    const checkpoint = aggregate && outputs.checkpoints
      ? setInterval(() => {
          const t = { url: target.url, model: target.model, api: o.api, embedded: target.embedded };
          outputs.checkpoint({ run_id: outputs.runId, started_at: startedAt.toISOString(), written_at: new Date().toISOString(), clock_epoch_ms: clock.epochMs, config: stepConfig, target: t, aggregate: aggregate.toJSON() });
        }, CHECKPOINT_EVERY_MS)
      : null;
    checkpoint?.unref();
    const load = await runLoad({
      profile: plan.profile,
      limits: plan.limits,
      seed: o.seed,
      clock,
      signal,
      ...(config.shard ? { shard: config.shard } : {}),
      ...(config.startAtEpochMs !== null ? { startAtEpochMs: config.startAtEpochMs } : {}),
      send: isConversationWorkload(ctx.workload)
        ? conversationSender(ctx.workload, client, clock, { specBase, saveText: o.saveText })
        : (req, signal) => client.send(ctx.workload.spec(specBase + req.index), { index: req.index, warmup: req.warmup, t_sched: req.t_sched, signal }),
      ...(retain ? { retain } : {}),
      onRecord: (record) => {
        roundRecordTimes(record);
        scrubRecord(record, ctx.secrets);
        record.clock_epoch_ms = clock.epochMs;
        nextIndex = Math.max(nextIndex, record.index + 1);
        aggregate?.add(record);
        emit(retain && !retain(record) ? { type: 'request', record, kept: false } : { type: 'request', record });
        if (!record.warmup && record.error?.class !== 'aborted') {
          seen.completed++;
          if (!record.ok) seen.failed++;
          if (watchSaturation) measuredSoFar.push(record);
          if (watchSaturation && !breaker.signal.aborted && seen.completed >= SATURATION_MIN_REQUESTS && seen.completed % SATURATION_CHECK_EVERY === 0) {
            const sat = liveSaturation(measuredSoFar);
            if (sat?.saturated) {
              emit({ type: 'warning', message: `stopping the step early: ${sat.reason}` });
              saturatedEarly = true;
              breaker.abort();
            }
          }
          if (!breaker.signal.aborted && clearlyFailing(seen.completed, seen.failed, o.maxErrorRate)) {
            emit({ type: 'warning', message: `stopping: ${seen.failed} of ${seen.completed} requests failed, clearly above --max-error-rate ${o.maxErrorRate}` });
            breaker.abort();
          }
        }
      },
      onMeasuringStart: async () => {
        // The window's baseline scrape is taken before the first measured token can be counted.
        if (plan.limits.warmup > 0) await serverStep.markMeasuringStart();
        emit({ type: 'phase', phase: 'measuring' });
      },
    }).finally(() => {
      if (checkpoint) clearInterval(checkpoint);
    });
    emit({ type: 'phase', phase: 'draining' });
    ctx.specBase = specBase + nextIndex;
    if (scoreRecords(load.records.filter((r) => !r.warmup), (i) => ctx.workload.spec(specBase + i).references) > 0) await outputs.quality(load.records);
    const summary = aggregate
      ? summarizeAggregate(aggregate, { fidelity: load.fidelity, ...(o.prices ? { prices: o.prices } : {}) })
      : summarize(load.records, {
          ...(config.slo ? { slo: config.slo } : {}),
          sloTpotNaIsGood: o.sloTpotNaIsGood,
          fidelity: load.fidelity,
          ...(o.prices ? { prices: o.prices } : {}),
          ...(isConversationWorkload(ctx.workload) ? { turns: ctx.workload.turns } : {}),
        });
    const lengthWarning = ctx.calibration ? null : promptLengthWarning(load.records);
    if (lengthWarning) emit({ type: 'warning', message: lengthWarning });
    const tripped = breaker.signal.aborted && !hooks.signal?.aborted && !saturatedEarly;
    summary.outcome = runOutcome({ total: summary.requests.total, failed: summary.requests.failed, errorRate: summary.errors.error_rate }, o.maxErrorRate, tripped);
    const { server, scrapes } = await serverStep.finish({ start: load.measuredStart, end: load.measuredEnd }, summary);
    const thresholdOutcome = config.thresholds.length > 0 ? evaluateThresholds(config.thresholds, summary) : null;
    const status: StepResult['status'] = load.stoppedEarly ? 'interrupted' : (summary.fidelity?.valid ?? true) ? 'completed' : 'invalid';
    const results = buildResults({
      id: outputs.runId,
      startedAt,
      endedAt: new Date(),
      clockEpochMs: clock.epochMs,
      config: stepConfig,
      target: {
        url: target.url,
        model: target.model,
        api: o.api,
        embedded: target.embedded,
        ...(target.backend ? { backend: target.backend } : {}),
        ...(ctx.clientConfig.reuseConnections === false ? { connections: 'per_request' as const } : {}),
      },
      summary,
      status,
      ...(thresholdOutcome ? { thresholds: thresholdOutcome } : {}),
      ...(server ? { server } : {}),
      diagnosis: diagnoseRun({ summary, server: server ?? null, records: load.records }),
      ...(aggregate ? { aggregate: aggregate.toJSON() } : {}),
    });
    await outputs.finish(status, results, scrapes);
    emit({ type: 'phase', phase: 'done' });
    return { results, records: load.records, thresholdsPassed: thresholdOutcome?.passed ?? true, status };
  } finally {
    unsubscribe();
    try {
      await outputs.close();
    } finally {
      await client.close();
    }
  }
}

/** The step's configuration as stored and reported: the session's options with the step's load, no key, secret headers masked. */
function configForStep(o: ValidatedOptions, plan: StepPlan): Record<string, unknown> {
  const { apiKey, ...rest } = o;
  const p = plan.profile;
  const load =
    p.kind === 'concurrency'
      ? { concurrency: p.concurrency, rate: undefined, maxConcurrency: undefined }
      : { concurrency: undefined, rate: p.rate, arrival: p.arrival, burstiness: p.burstiness, maxConcurrency: p.maxConcurrency ?? undefined, rampUpS: p.rampUpS };
  return {
    ...rest,
    ...load,
    requests: plan.limits.requests ?? undefined,
    durationS: plan.limits.durationS ?? undefined,
    warmup: plan.limits.warmup,
    outDir: plan.outDir ?? undefined,
    labels: { ...o.labels, ...plan.labels },
    headers: redactHeaders(o.headers),
    api_key: apiKey ? '[redacted]' : null,
    ...(o.db ? { db: redactPgUrl(o.db) } : {}),
  };
}

/** Saturation of the records finished so far: served = succeeded over the span from first send to last end. */
function liveSaturation(records: readonly RequestRecord[]): ReturnType<typeof saturation> {
  let first = Infinity;
  let last = -Infinity;
  let ok = 0;
  for (const r of records) {
    first = Math.min(first, r.t_send);
    last = Math.max(last, r.t_end);
    if (r.ok) ok++;
  }
  const spanS = (last - first) / 1000;
  return saturation(records, spanS > 0 ? ok / spanS : null, true);
}
