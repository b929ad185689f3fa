import { decodeStepMs, type CostModel } from './cost-model.js';

/** One request offered to the simulated server. */
export interface SimRequest {
  index: number;
  /** Arrival (send) time, ms. */
  t_arrival: number;
  input_tokens: number;
  output_tokens: number;
}

/** What the simulated server did with a request. */
export interface SimOutcome {
  request: SimRequest;
  /** First admission into the running batch, ms. */
  t_admitted: number;
  /** Time of every output token, ms (the first is the first token). */
  token_times: number[];
  t_end: number;
  preemptions: number;
}

type Phase = 'front' | 'ready' | 'prefill' | 'decode';

interface Seq {
  req: SimRequest;
  tokens: number[];
  admittedAt: number | null;
  preemptions: number;
  admitOrder: number;
  phase: Phase;
  /** front: when the fixed part ends; decode: step work left (ms); unused otherwise. */
  left: number;
  /** When the fixed part ends, when it starts at arrival (overlapping any wait in the queue). */
  frontEnd: number;
  /** Its length, when it starts at admission instead (CostModel.fixed_while_queued false). */
  fixed: number | null;
}

const EPS = 1e-9;

/**
 * One continuous-batching server as a discrete-event simulation (costs in CostModel). A request spends the fixed part
 * of its first-token time (front end, tokenization, contention; it grows with the sequences running beside it) from
 * its arrival, while it waits in a FIFO queue for one of `max_seqs` places if it must; once admitted and past it, its prompt is prefilled in batches: every prompt ready when the
 * engine starts a prefill batch goes into it, the batch costs the sum of their prompt tokens, all of them get their
 * first token when it ends, and prompts ready meanwhile wait for the next batch (as llama.cpp and vLLM batch
 * prefills). Without chunked prefill, decoding pauses during a batch; with chunks of K tokens every decode step
 * carries one chunk, so decoding slows instead of stopping. Decoding sequences get a token per step, the step's cost
 * set by the batch. A full KV cache preempts the most recently admitted sequence, which returns to the head
 * of the queue and recomputes its prompt and what it had generated (as vLLM does).
 */
export class EngineSim {
  private readonly waiting: Seq[] = [];
  private readonly running: Seq[] = [];
  private kvUsed = 0;
  private admitted = 0;
  private clock = 0;
  /** The prefill batch in progress and its compute left (ms). */
  private batch: Seq[] = [];
  private batchLeft = 0;
  readonly finished: SimOutcome[] = [];
  /** Called when a request finishes, at its end time (closed loops send the next one). */
  onFinish: ((o: SimOutcome) => void) | null = null;

  constructor(private readonly cost: CostModel) {}

  /** Requests queued or running. */
  get load(): number {
    return this.waiting.length + this.running.length;
  }

  submit(req: SimRequest, now: number): void {
    this.advanceTo(now);
    // The front end (HTTP, tokenization) works on a request as it arrives, whether or not a place is free.
    const others = Math.min(this.running.length, (this.cost.max_seqs ?? Infinity) - 1);
    const frontEnd = now + this.cost.prefill_base_ms + this.cost.prefill_per_seq_ms * others;
    // Or, on a server that does it only once a place is free, from admission (see admit()).
    const fixed = this.cost.fixed_while_queued ? null : frontEnd - now;
    this.waiting.push({ req, tokens: [], admittedAt: null, preemptions: 0, admitOrder: 0, phase: 'front', left: 0, frontEnd, fixed });
    // Events due now (a prefill batch to start) wait for step(now), so requests arriving together batch together.
    this.admit();
  }

  /** Time of the next internal event, or Infinity when idle. */
  nextEventAt(): number {
    const { decodeRate, prefillRate } = this.rates();
    let t = this.batch.length > 0 && prefillRate > 0 ? this.clock + this.batchLeft / prefillRate : Infinity;
    for (const s of this.running) {
      if (s.phase === 'front') t = Math.min(t, s.left);
      else if (s.phase === 'decode' && decodeRate > 0) t = Math.min(t, this.clock + s.left / decodeRate);
    }
    return Math.max(t, this.clock);
  }

  /** Advances to `now` and processes every event due then (the caller moves time to nextEventAt()). */
  step(now: number): void {
    this.advanceTo(now);
    for (;;) {
      if (this.batch.length > 0 && this.batchLeft <= EPS) {
        const done = this.batch;
        this.batch = [];
        for (const s of done) this.emit(s);
        continue;
      }
      const due = this.running.find((s) => (s.phase === 'front' ? s.left <= now + EPS : s.phase === 'decode' && s.left <= EPS));
      if (due) {
        if (due.phase === 'front') due.phase = 'ready';
        else this.emit(due);
        continue;
      }
      this.admit();
      if (this.batch.length === 0 && this.startBatch()) continue;
      break;
    }
  }

  private count(phase: Phase): number {
    let n = 0;
    for (const s of this.running) if (s.phase === phase) n++;
    return n;
  }

  /** Shares of the engine's time: decoding's and prefill's (the latter split evenly among the prompts in prefill). */
  private rates(): { decodeRate: number; prefillRate: number } {
    if (this.batch.length === 0) return { decodeRate: 1, prefillRate: 0 };
    // A free prefill (no cost per token) ends at once.
    if (this.batchLeft <= EPS) return { decodeRate: 1, prefillRate: 1 };
    const chunk = this.cost.prefill_chunk_tokens;
    if (chunk === null || this.count('decode') === 0) return { decodeRate: 0, prefillRate: 1 };
    const step = decodeStepMs(this.cost, this.count('decode'));
    const slice = this.cost.prefill_per_token_ms * chunk;
    return { decodeRate: step / (step + slice), prefillRate: slice / (step + slice) };
  }

  private advanceTo(now: number): void {
    const dt = now - this.clock;
    if (dt <= 0) return;
    const { decodeRate, prefillRate } = this.rates();
    this.batchLeft -= dt * prefillRate;
    for (const s of this.running) if (s.phase === 'decode') s.left -= dt * decodeRate;
    this.clock = now;
  }

  private admit(): void {
    const cap = this.cost.max_seqs ?? Infinity;
    while (this.waiting.length > 0 && this.running.length < cap) {
      const s = this.waiting[0]!;
      const need = s.req.input_tokens + s.tokens.length + 1;
      if (this.cost.kv_capacity_tokens !== null && this.kvUsed + need > this.cost.kv_capacity_tokens && this.running.length > 0) break;
      this.waiting.shift();
      this.kvUsed += need - 1;
      s.admittedAt ??= this.clock;
      s.admitOrder = ++this.admitted;
      this.running.push(s);
      // A preempted sequence is past the front end already: it only recomputes.
      s.phase = s.tokens.length > 0 ? 'ready' : 'front';
      s.left = s.fixed === null ? s.frontEnd : this.clock + s.fixed;
    }
  }

  /** Starts a prefill batch of every ready prompt (their prompts plus, after preemption, what they had generated). */
  private startBatch(): boolean {
    const ready = this.running.filter((s) => s.phase === 'ready');
    if (ready.length === 0) return false;
    let tokens = 0;
    for (const s of ready) {
      s.phase = 'prefill';
      tokens += s.req.input_tokens + s.tokens.length;
    }
    this.batch = ready;
    this.batchLeft = this.cost.prefill_per_token_ms * tokens;
    return true;
  }

  /** The sequence produces a token now (the first one ends its prefill). */
  private emit(s: Seq): void {
    s.tokens.push(this.clock);
    if (s.tokens.length >= s.req.output_tokens) {
      this.remove(s);
      this.kvUsed -= s.req.input_tokens + s.tokens.length - 1;
      const outcome: SimOutcome = { request: s.req, t_admitted: s.admittedAt ?? this.clock, token_times: s.tokens, t_end: this.clock, preemptions: s.preemptions };
      this.finished.push(outcome);
      this.onFinish?.(outcome);
      return;
    }
    this.kvUsed += 1;
    const kvCap = this.cost.kv_capacity_tokens;
    while (kvCap !== null && this.kvUsed > kvCap) {
      const victim = this.newestOtherThan(s);
      if (!victim) break;
      this.remove(victim);
      this.kvUsed -= victim.req.input_tokens + victim.tokens.length;
      victim.preemptions++;
      this.waiting.unshift(victim);
    }
    s.phase = 'decode';
    s.left = decodeStepMs(this.cost, this.count('decode'));
  }

  private newestOtherThan(s: Seq): Seq | null {
    let best: Seq | null = null;
    for (const o of this.running) if (o !== s && (best === null || o.admitOrder > best.admitOrder)) best = o;
    return best;
  }

  private remove(s: Seq): void {
    const i = this.running.indexOf(s);
    if (i >= 0) this.running.splice(i, 1);
  }
}
