import type { Clock } from '../measure/clock.js';
import type { ErrorClass, RequestRecord } from '../measure/record.js';
import { Notifier, nextEvent } from './notifier.js';
import type { ScheduledRequest, SendFn } from './types.js';

/** How long an aborted send may take to settle before the pool writes its record itself. */
export const ABORT_SETTLE_MS = 2000;

interface InFlight {
  req: ScheduledRequest;
  /** When send() was called, run clock. */
  tCall: number;
  abort: AbortController;
  done: () => void;
}

/**
 * The requests in flight: launches sends, keeps their records in completion order, and aborts them on demand.
 * A send that throws, returns no record, or ignores its abort signal still produces a (failed) record.
 */
export class RequestPool {
  /** Every settled record the retain rule keeps (default all), in completion order. */
  readonly records: RequestRecord[] = [];
  /** Fires after each request settles. */
  readonly settled = new Notifier();
  private readonly inFlight = new Map<number, InFlight>();
  private readonly forceTimers = new Set<NodeJS.Timeout>();
  private listenerFailure: { error: unknown } | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly send: SendFn,
    private readonly onRecord: ((record: RequestRecord) => void) | undefined,
    /** Called once when onRecord throws; the run should stop. */
    private readonly onListenerError: () => void,
    /** Which records to hold in `records` (default all): a long run keeps a sample or none. */
    private readonly retain: (record: RequestRecord) => boolean = () => true,
  ) {}

  get size(): number {
    return this.inFlight.size;
  }

  /** The error onRecord threw, if it did. */
  get listenerError(): { error: unknown } | null {
    return this.listenerFailure;
  }

  /** Sends the request; the promise resolves once its record is kept (it never rejects). */
  launch(req: ScheduledRequest): Promise<void> {
    return new Promise((resolve) => {
      const entry: InFlight = { req, tCall: this.clock.now(), abort: new AbortController(), done: resolve };
      this.inFlight.set(req.index, entry);
      void this.callSend(entry).then((record) => this.settle(entry, record));
    });
  }

  /**
   * Aborts every request in flight (through the signal given to send). Sends that have not settled `settleMs` later
   * are recorded as aborted by the pool, so a stuck send cannot hang the run.
   */
  abortAll(reason: string, settleMs: number = ABORT_SETTLE_MS): void {
    const aborted = [...this.inFlight.values()].filter((entry) => !entry.abort.signal.aborted);
    if (aborted.length === 0) return;
    for (const entry of aborted) entry.abort.abort(new Error(reason));
    const timer = setTimeout(() => {
      this.forceTimers.delete(timer);
      for (const entry of aborted) {
        const message = `request did not finish within ${settleMs} ms of being aborted (${reason})`;
        this.settle(entry, failedRecord(entry.req, entry.tCall, this.clock.now(), 'aborted', message));
      }
    }, settleMs);
    this.forceTimers.add(timer);
  }

  /** Resolves when nothing is in flight. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await nextEvent([this.settled]);
  }

  /** Clears timers; call once the run is over. */
  dispose(): void {
    for (const timer of this.forceTimers) clearTimeout(timer);
    this.forceTimers.clear();
  }

  private async callSend(entry: InFlight): Promise<RequestRecord> {
    try {
      const record = await this.send(entry.req, entry.abort.signal, (earlier) => this.keep(earlier));
      if (record === null || typeof record !== 'object') {
        return failedRecord(entry.req, entry.tCall, this.clock.now(), 'unknown', 'send() resolved without a record');
      }
      return record;
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      return failedRecord(entry.req, entry.tCall, this.clock.now(), 'unknown', `send() threw: ${detail}`);
    }
  }

  private settle(entry: InFlight, record: RequestRecord): void {
    // A record forced after an abort wins over a send that settles later.
    if (this.inFlight.get(entry.req.index) !== entry) return;
    this.inFlight.delete(entry.req.index);
    this.keep(record);
    entry.done();
    this.settled.notify();
  }

  /** Keeps a record and hands it to the listener (also for the earlier requests of a unit still in flight). */
  private keep(record: RequestRecord): void {
    if (this.retain(record)) this.records.push(record);
    if (this.onRecord && this.listenerFailure === null) {
      try {
        this.onRecord(record);
      } catch (error) {
        this.listenerFailure = { error };
        this.onListenerError();
      }
    }
  }
}

/** A record for a request that produced none of its own (send threw, or never settled after an abort). */
export function failedRecord(req: ScheduledRequest, tSend: number, tEnd: number, errorClass: ErrorClass, message: string): RequestRecord {
  return {
    index: req.index,
    warmup: req.warmup,
    t_sched: req.t_sched,
    t_send: tSend,
    t_headers: null,
    t_end: tEnd,
    chunks: [],
    ok: false,
    error: { class: errorClass, message },
    http_status: null,
    finish_reason: null,
    input_tokens: null,
    input_tokens_source: null,
    output_tokens: null,
    output_tokens_source: null,
    requested_output_tokens: null,
    output_chars: 0,
  };
}
