import type { Clock } from '../measure/clock.js';
import type { RequestRecord } from '../measure/record.js';
import { validateRateProfile } from './arrivals.js';
import { runClosedLoop } from './closed-loop.js';
import { LoadConfigError, LoadRunError } from './errors.js';
import { startFidelityProbe } from './fidelity-probe.js';
import { DEFAULT_FIDELITY_THRESHOLDS, fidelityFromRecords, fidelityFromSends, type FidelityThresholds } from './fidelity.js';
import { SendStats } from './send-stats.js';
import { MAX_TIMER_MS, RunControl } from './notifier.js';
import { runOpenLoop } from './open-loop.js';
import { spinWindowMs } from './precise-timer.js';
import { RequestPool } from './request-pool.js';
import type { Fidelity } from '../measure/fidelity.js';
import type { LoadProfile, RunLimits, SendFn, Shard } from './types.js';
import { waitUntil } from './precise-timer.js';

export const DEFAULT_GRACE_MS = 30_000;
/** Warm-up concurrency of an open loop without maxConcurrency: about one second of arrivals, at most this many. */
const MAX_WARMUP_CONCURRENCY = 64;

export interface RunLoadOptions {
  profile: LoadProfile;
  limits: RunLimits;
  /** Seeds the arrival schedule. */
  seed: number;
  clock: Clock;
  send: SendFn;
  /** Abort to stop: nothing new is sent; in-flight requests are aborted after `abortGraceMs`. */
  signal?: AbortSignal;
  /** Called as each request settles (warm-up included). If it throws, the run stops and runLoad rejects. */
  onRecord?: (record: RequestRecord) => void;
  /**
   * Called when warm-up is over, before the measured phase sends anything; a promise it returns is awaited first
   * (a baseline scrape of the server must not race the first measured tokens).
   */
  onMeasuringStart?: () => void | Promise<void>;
  /** With `durationS`: how long in-flight requests may run past the duration before they are aborted (ms). */
  graceMs?: number;
  /** After `signal` aborts: how long in-flight requests may finish before they are aborted (ms, default 0). */
  abortGraceMs?: number;
  /** Open loops: the precise-timer spin window, ms (0 turns it off; default from the rate, see spinWindowMs). */
  timerSpinMs?: number;
  fidelityThresholds?: Partial<FidelityThresholds>;
  /** One shard of a global schedule run by several processes (see Shard). */
  shard?: Shard;
  /** Wall-clock instant (ms since the Unix epoch) the measured phase starts at, shared by every shard. */
  startAtEpochMs?: number;
  /**
   * Which records to hold for the result (default all). Given, fidelity is judged from figures folded in as
   * requests finish, so memory does not grow with the run; onRecord still sees every record.
   */
  retain?: (record: RequestRecord) => boolean;
}

export interface LoadResult {
  /** Every record (or those `retain` kept), warm-up included, in completion order. */
  records: RequestRecord[];
  /** Run-clock ms when the measured phase started (warm-up over). */
  measuredStart: number;
  /** Run-clock ms when the last measured request settled. */
  measuredEnd: number;
  fidelity: Fidelity;
  /** True when `signal` stopped the run. */
  stoppedEarly: boolean;
  /** Open loops: arrivals due before the duration ended that never got a maxConcurrency slot. */
  unsentArrivals: number;
}

/**
 * Runs a load profile: warm-up requests first (indices 0..warmup-1, all settled before measuring), then measured
 * requests until `limits.requests` were sent and settled or `limits.durationS` is over, or `signal` aborts.
 *
 * @example
 * const result = await runLoad({
 *   profile: { kind: 'concurrency', concurrency: 4 },
 *   limits: { requests: 100, durationS: null, warmup: 4 },
 *   seed: 1, clock: createClock(), send: (req, signal) => client.send(workload.spec(req.index), { ...req, signal }),
 * });
 */
export async function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  const { profile, limits, clock } = options;
  validateOptions(options);
  const thresholds = { ...DEFAULT_FIDELITY_THRESHOLDS, ...options.fidelityThresholds };
  const control = new RunControl();
  const sends = options.retain ? new SendStats(thresholds.scheduleLagP99Ms) : null;
  const onRecord = sends
    ? (r: RequestRecord): void => {
        sends.add(r);
        options.onRecord?.(r);
      }
    : options.onRecord;
  const pool = new RequestPool(
    clock,
    options.send,
    onRecord,
    () => {
      control.stop('onRecord listener threw');
      pool.abortAll('the run failed');
    },
    options.retain,
  );
  let stoppedEarly = false;
  let abortTimer: NodeJS.Timeout | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    stoppedEarly = true;
    control.stop('stopped by signal');
    abortTimer = setTimeout(() => pool.abortAll('the run was stopped'), options.abortGraceMs ?? 0);
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const shard = options.shard;
    if (limits.warmup > 0 && !control.stopped) {
      await runClosedLoop(clock, pool, control, {
        workers: shareOf(warmupConcurrency(profile), shard),
        firstIndex: 0,
        count: limits.warmup,
        warmup: true,
        deadlineMs: null,
        ...(shard ? { shard } : {}),
      });
    }
    if (!control.stopped) await options.onMeasuringStart?.();
    if (options.startAtEpochMs !== undefined && !control.stopped) {
      // Every shard's schedule starts at the same wall-clock instant, so their intended send times line up.
      await waitUntil(clock, options.startAtEpochMs - clock.epochMs, control, 1);
    }
    const measuredStart = options.startAtEpochMs !== undefined ? options.startAtEpochMs - clock.epochMs : clock.now();
    const probe = startFidelityProbe();
    let cappedArrivals = 0;
    let unsentArrivals = 0;
    if (!control.stopped) {
      const deadlineMs = limits.durationS === null ? null : measuredStart + limits.durationS * 1000;
      const graceEndInMs = deadlineMs === null ? null : deadlineMs + (options.graceMs ?? DEFAULT_GRACE_MS) - clock.now();
      // A grace end beyond setTimeout's range (~24.8 days) is left unarmed rather than firing at once.
      if (graceEndInMs !== null && graceEndInMs <= MAX_TIMER_MS) {
        graceTimer = setTimeout(() => pool.abortAll('the run duration and its grace period were over'), graceEndInMs);
      }
      const common = { firstIndex: limits.warmup, count: limits.requests, deadlineMs, ...(shard ? { shard } : {}) };
      if (profile.kind === 'concurrency') {
        await runClosedLoop(clock, pool, control, { ...common, workers: shareOf(profile.concurrency, shard), warmup: false });
      } else {
        const spinMs = options.timerSpinMs ?? spinWindowMs(profile.rate);
        // A cap on requests in flight is global: each shard holds its share.
        const capped = profile.maxConcurrency !== null && shard ? { ...profile, maxConcurrency: Math.max(1, shareOf(profile.maxConcurrency, shard)) } : profile;
        const outcome = await runOpenLoop(clock, pool, control, { ...common, profile: capped, seed: options.seed, startMs: measuredStart, spinMs });
        cappedArrivals = outcome.cappedArrivals;
        unsentArrivals = outcome.unsentArrivals;
      }
    }
    await pool.idle();
    const measuredEnd = clock.now();
    const reading = probe.stop();
    if (pool.listenerError) {
      throw new LoadRunError('the onRecord listener threw; the run was stopped', { cause: pool.listenerError.error });
    }
    const cappedAt = cappedArrivals > 0 && profile.kind === 'rate' ? profile.maxConcurrency : null;
    const fidelity = sends ? fidelityFromSends(sends.figures(), profile, reading, cappedAt, thresholds) : fidelityFromRecords(pool.records, profile, reading, cappedAt, thresholds);
    return { records: pool.records, measuredStart, measuredEnd, fidelity, stoppedEarly, unsentArrivals };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (abortTimer !== undefined) clearTimeout(abortTimer);
    if (graceTimer !== undefined) clearTimeout(graceTimer);
    pool.dispose();
  }
}

/** Shard k's part of a total split over n shards: the total exactly, the first (total mod n) shards one more. */
export function shareOf(total: number, shard: Shard | undefined): number {
  if (!shard) return total;
  return Math.floor(total / shard.count) + (shard.index < total % shard.count ? 1 : 0);
}

/** Warm-up runs as a closed loop: the profile's concurrency, or for open loops its cap or about a second of arrivals. */
export function warmupConcurrency(profile: LoadProfile): number {
  if (profile.kind === 'concurrency') return profile.concurrency;
  return profile.maxConcurrency ?? Math.min(MAX_WARMUP_CONCURRENCY, Math.max(1, Math.ceil(profile.rate)));
}

function validateOptions(options: RunLoadOptions): void {
  const { profile, limits } = options;
  if (profile.kind === 'concurrency') {
    if (!Number.isInteger(profile.concurrency) || profile.concurrency < 1) {
      throw new LoadConfigError('profile.concurrency', `concurrency must be an integer >= 1, got ${profile.concurrency}`);
    }
  } else if (profile.kind === 'rate') {
    validateRateProfile(profile);
  } else {
    throw new LoadConfigError('profile.kind', `profile kind must be concurrency or rate, got ${String((profile as { kind: unknown }).kind)}`);
  }
  if (limits.requests === null && limits.durationS === null) {
    throw new LoadConfigError('limits', 'a run needs a limit: set limits.requests, limits.durationS, or both');
  }
  if (limits.requests !== null && (!Number.isInteger(limits.requests) || limits.requests < 1)) {
    throw new LoadConfigError('limits.requests', `requests must be an integer >= 1 or null, got ${limits.requests}`);
  }
  if (limits.durationS !== null && (!Number.isFinite(limits.durationS) || limits.durationS <= 0)) {
    throw new LoadConfigError('limits.durationS', `duration must be a positive number of seconds or null, got ${limits.durationS}`);
  }
  if (!Number.isInteger(limits.warmup) || limits.warmup < 0) {
    throw new LoadConfigError('limits.warmup', `warmup must be an integer >= 0, got ${limits.warmup}`);
  }
  for (const field of ['graceMs', 'abortGraceMs', 'timerSpinMs'] as const) {
    const value = options[field];
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new LoadConfigError(field, `${field} must be a number of ms >= 0, got ${value}`);
    }
  }
}
