import { arrivalTimesMs, type RateProfile } from '../../load/arrivals.js';
import { forkRng } from '../../util/rng.js';
import type { CostModel } from './cost-model.js';
import { EngineSim, type SimOutcome, type SimRequest } from './engine-sim.js';

/** The offered load: a closed loop of users, or arrivals at a rate. */
export type SimLoad = { kind: 'concurrency'; concurrency: number } | RateProfile;

export interface SimInput {
  cost: CostModel;
  load: SimLoad;
  /** Requests to simulate. */
  requests: number;
  /** Prompt and output lengths of request i (a pure function, so runs repeat). */
  lengths: (index: number) => { input_tokens: number; output_tokens: number };
  /** Independent servers behind a least-loaded balancer (data-parallel replicas, or GPUs each serving a copy). */
  replicas?: number;
  seed?: number;
  /**
   * Closed loops: measured times from a response's end to the user's next request (the client's turnaround), ms,
   * drawn at random per request. Their spread matters: it is what keeps users from moving in lockstep.
   */
  turnaroundMs?: readonly number[];
}

/**
 * Runs the load against the simulated server(s) until every request finished; outcomes in index order. A closed
 * loop sends a user's next request when its previous one ends (plus the client's turnaround), as `bench --concurrency` does.
 */
export function runSimulation(input: SimInput): SimOutcome[] {
  const engines = Array.from({ length: Math.max(1, input.replicas ?? 1) }, () => new EngineSim(input.cost));
  const pending: SimRequest[] = [];
  let p = 0;
  let next = 0;
  const make = (t: number): SimRequest => ({ index: next, t_arrival: t, ...input.lengths(next++) });
  const submit = (req: SimRequest, now: number): void => {
    let best = engines[0]!;
    for (const e of engines) if (e.load < best.load) best = e;
    best.submit(req, now);
  };
  if (input.load.kind === 'concurrency') {
    const users = Math.min(input.load.concurrency, input.requests);
    const gaps = input.turnaroundMs ?? [];
    const rng = forkRng(input.seed ?? 42, 'turnaround');
    const followUp = (o: SimOutcome): void => {
      if (next < input.requests) insertByTime(pending, p, make(o.t_end + (gaps.length > 0 ? gaps[rng.int(0, gaps.length - 1)]! : 0)));
    };
    for (const e of engines) e.onFinish = followUp;
    for (let i = 0; i < users; i++) submit(make(0), 0);
  } else {
    for (const t of arrivalTimesMs(input.load, input.seed ?? 42, input.requests)) pending.push(make(t));
  }
  for (;;) {
    let t = p < pending.length ? pending[p]!.t_arrival : Infinity;
    for (const e of engines) t = Math.min(t, e.nextEventAt());
    if (t === Infinity) break;
    const now = t;
    while (p < pending.length && pending[p]!.t_arrival <= now) submit(pending[p++]!, now);
    for (const e of engines) if (e.nextEventAt() <= now) e.step(now);
  }
  return engines.flatMap((e) => e.finished).sort((a, b) => a.request.index - b.request.index);
}

/** Inserts a request into the not-yet-sent part of `pending` (from `from` on), keeping it sorted by arrival time. */
function insertByTime(pending: SimRequest[], from: number, req: SimRequest): void {
  let i = pending.length;
  while (i > from && pending[i - 1]!.t_arrival > req.t_arrival) i--;
  pending.splice(i, 0, req);
}

/** Prompt and output lengths of a run's requests, in order (what the simulator replays). */
export type RunLengths = ReadonlyArray<{ input_tokens: number; output_tokens: number }>;

/**
 * Measured runs at one load as the simulator replays them, each as it ran (its own requests' lengths, its own start):
 * their outcomes pooled, as percentiles over repeats are taken.
 */
export function simulateRepeats(cost: CostModel, load: SimLoad, runs: readonly RunLengths[], seed: number, turnaroundMs: readonly number[]): SimOutcome[] {
  return runs.flatMap((lengths) => runSimulation({ cost, load, requests: lengths.length, lengths: (i) => lengths[i]!, seed, turnaroundMs }));
}
