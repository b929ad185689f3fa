/**
 * Diagnosis across a sweep's steps: how decode time per token responds to batch size (memory-bound decode stays
 * flat, compute saturation grows), where queueing starts to dominate latency (or TTFT grows with nothing waiting),
 * and the fitted decode cost per step.
 */
import type { ResultsDocument } from '../results/results-document.js';
import type { Diagnosis, Finding } from '../results/findings.js';
import { fitLine } from './diagnose-run.js';

/** Batch range needed to judge decode scaling (largest / smallest mean concurrency). */
const BATCH_RANGE = 4;
/** TPOT growth over that range below which decode counts as memory-bound. */
const FLAT_TPOT = 1.25;
/** Elasticity of TPOT in batch above which decode counts as compute-saturated. */
const SATURATION_ELASTICITY = 0.5;
/** TTFT p50 this many times the lightest step's marks the onset of queueing. */
const QUEUE_TTFT_FACTOR = 2;
/** Mean waiting requests (the server's gauge) from which a step counts as queueing; below half of one, nothing queued. */
const QUEUE_WAITING = 1;
const NO_WAITING = 0.5;

/** What the diagnosis reads of a sweep's step (the shape of sweep.json's steps). */
export interface SweepStepView {
  index: number;
  load: { concurrency: number } | { rate: number };
  summary: ResultsDocument['summary'];
  server: Pick<NonNullable<ResultsDocument['server']>, 'requests_running' | 'requests_waiting' | 'kv_cache_usage'> | null;
}

/**
 * TTFT p50 at least twice the lightest step's, by more than the step's client timing uncertainty: a busy client can
 * add that much to every timestamp without any request having waited.
 */
function queuedTtft(st: SweepStepView, base: number): boolean {
  const ttft = st.summary.ttft_ms.p50 ?? 0;
  return ttft > QUEUE_TTFT_FACTOR * base && ttft - base > (st.summary.fidelity?.timing_uncertainty_ms ?? 0);
}

export function diagnoseSweep(doc: { steps: readonly SweepStepView[] }): Diagnosis {
  // In load order (an interleaved sweep ran its repeats in rounds); repeats of a load keep their order.
  const steps = [...doc.steps].sort((a, b) => loadOf(a) - loadOf(b));
  const sweep = { steps };
  const first = sweep.steps[0];
  const base = first?.summary.ttft_ms.p50 ?? null;
  // Where the server reports its waiting requests, a TTFT that doubled while none waited is not queueing: new prompts
  // were prefilled beside the running sequences, sharing their compute (and the machine, for a local engine).
  const waiting = (st: SweepStepView): number | null => st.server?.requests_waiting?.mean ?? null;
  const onset = sweep.steps.find((st) => (waiting(st) ?? 0) >= QUEUE_WAITING || (base !== null && queuedTtft(st, base) && !((waiting(st) ?? Infinity) < NO_WAITING)));
  const sharing = sweep.steps.find((st) => (onset === undefined || loadOf(st) < loadOf(onset)) && base !== null && queuedTtft(st, base) && (waiting(st) ?? Infinity) < NO_WAITING);
  // Decode scaling is judged on steps before queueing: past it the batch stops growing with the offered load.
  const before = onset && onset !== first ? sweep.steps.slice(0, sweep.steps.indexOf(onset)) : sweep.steps;
  const pts = before.flatMap((st) => {
    const batch = st.server?.requests_running?.mean ?? st.summary.throughput.concurrency.mean;
    const tpot = st.summary.tpot_ms.p50;
    return batch !== null && batch > 0 && tpot !== null ? [{ step: st, batch, tpot }] : [];
  });
  const findings: Finding[] = [];
  if (pts.length >= 3) {
    const lo = pts.reduce((a, p) => (p.batch < a.batch ? p : a));
    const hi = pts.reduce((a, p) => (p.batch > a.batch ? p : a));
    const fit = fitLine(pts.map((p) => p.batch), pts.map((p) => p.tpot));
    const range = hi.batch / lo.batch;
    const growth = hi.tpot / lo.tpot;
    const elasticity = Math.log(growth) / Math.log(range);
    const evidence = {
      batch_low: lo.batch,
      batch_high: hi.batch,
      tpot_p50_low_ms: lo.tpot,
      tpot_p50_high_ms: hi.tpot,
      decode_ms_per_step_at_batch_1: fit ? fit.intercept + fit.slope : null,
      decode_ms_per_extra_sequence: fit?.slope ?? null,
      fit_r2: fit?.r2 ?? null,
    };
    if (range >= BATCH_RANGE && growth < FLAT_TPOT) {
      findings.push({
        kind: 'decode_memory',
        title: `Decode is memory-bound: TPOT p50 moves from ${msText(lo.tpot)} to ${msText(hi.tpot)} ms while the batch grows ${range.toFixed(1)}x (${lo.batch.toFixed(1)} to ${hi.batch.toFixed(1)}): batching more is nearly free.`,
        evidence,
        confidence: 'medium',
        advice: ['Run more sequences at once (a higher max-num-seqs or concurrency) for throughput at little cost per user, until the KV cache or TTFT limits it.'],
      });
    } else if (range >= 2 && elasticity >= SATURATION_ELASTICITY) {
      findings.push({
        kind: 'compute_saturation',
        title: `Decode saturates compute: TPOT p50 grows ${growth.toFixed(2)}x (${msText(lo.tpot)} to ${msText(hi.tpot)} ms) as the batch grows ${range.toFixed(1)}x${fit ? `, about ${fit.slope.toFixed(2)} ms per extra sequence` : ''}.`,
        evidence,
        confidence: 'medium',
        advice: ['Past this point more concurrency trades per-user speed for little throughput: faster hardware, quantization or more GPUs (tensor parallelism) lower the cost per step.'],
      });
    }
  }
  if (sharing && sharing !== first) {
    const running = sharing.server?.requests_running?.mean ?? sharing.summary.throughput.concurrency.mean;
    findings.push({
      kind: 'prefill_compute',
      title:
        `From ${loadText(sharing)} on, TTFT p50 grows (${sharing.summary.ttft_ms.p50?.toFixed(1)} ms against ${base?.toFixed(1)} ms at the lightest load) while no request waits ` +
        `(${waiting(sharing)!.toFixed(1)} waiting on average${running !== null ? `, ${running.toFixed(1)} running` : ''}): new prompts are prefilled beside the running sequences and share their compute.`,
      evidence: { step: sharing.index, ttft_p50_ms: sharing.summary.ttft_ms.p50, ttft_p50_lightest_ms: base, waiting_mean: waiting(sharing), running_mean: running },
      confidence: 'medium',
      advice: [
        'Chunked prefill (vLLM --enable-chunked-prefill, SGLang --chunked-prefill-size) bounds how long a prompt and the decode steps hold each other up; fewer sequences per replica, or more replicas, lower TTFT at this load.',
      ],
    });
  }
  if (onset && onset !== first) {
    const load = loadText(onset);
    findings.push({
      kind: 'queueing',
      title: `From ${load} on, queueing dominates latency: TTFT p50 ${onset.summary.ttft_ms.p50?.toFixed(1)} ms against ${base?.toFixed(1)} ms at the lightest load${onset.server?.requests_waiting ? `, ${onset.server.requests_waiting.mean.toFixed(1)} requests waiting on average` : ''}.`,
      evidence: { onset_step: onset.index, ttft_p50_ms: onset.summary.ttft_ms.p50, ttft_p50_lightest_ms: base, waiting_mean: onset.server?.requests_waiting?.mean ?? null },
      confidence: onset.server?.requests_waiting ? 'high' : 'medium',
      advice: ['Keep the load below this step (sweep --find-capacity gives the SLO-bound answer), or add capacity.'],
    });
  }
  if (findings.length === 0) {
    findings.push({
      kind: 'healthy',
      title: `No limit reached across ${sweep.steps.length} steps: TPOT and TTFT stay near their lightest-load values.`,
      evidence: { steps: sweep.steps.length },
      confidence: 'low',
      advice: ['Extend the sweep to higher loads to find where it stops scaling.'],
    });
  }
  return { findings };
}

/** TPOT below 10 ms keeps two decimals (0.29 ms, not 0.3). */
function msText(x: number): string {
  return x < 10 ? x.toFixed(2) : x.toFixed(1);
}

function loadText(st: SweepStepView): string {
  return 'concurrency' in st.load ? `concurrency ${st.load.concurrency}` : `${st.load.rate} req/s`;
}

function loadOf(st: SweepStepView): number {
  return 'concurrency' in st.load ? st.load.concurrency : st.load.rate;
}
