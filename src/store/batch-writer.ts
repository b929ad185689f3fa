/**
 * Buffers items and writes them in batches: one transaction per `maxBatch` items or per
 * `flushMs`, whichever comes first, so a busy run does not pay a disk commit per request.
 * Writes run one at a time, in order; a crash loses at most the items still buffered or being written.
 */
import type { RequestRecord } from '../measure/record.js';
import type { RunStore, ServerSample } from './types.js';

export interface BatchWriterOptions {
  /** Write as soon as this many items are buffered (default 64). */
  maxBatch?: number;
  /**
   * Write buffered items at most this long after the first arrives (default 200 ms). 0: at the end of the current
   * event-loop turn, so everything added in one turn commits in one transaction before any timer or I/O runs.
   */
  flushMs?: number;
  /** Called after each successful write with the batch size and the running total. */
  onFlush?: (written: number, totalWritten: number) => void;
  /**
   * Called when a write that no caller awaits fails. The items stay buffered for the next write; the next
   * add() rethrows the error, and flush()/close() retry the write (rejecting if it fails again).
   */
  onError?: (error: unknown) => void;
}

export interface BatchWriter<T> {
  /** Buffers one item; starts a write when the buffer is full. */
  add(item: T): void;
  /** Writes everything buffered now (after the writes already started); resolves to how many items it wrote. */
  flush(): Promise<number>;
  /** Flushes, stops the timer and refuses further items. Idempotent. */
  close(): Promise<void>;
  /** Items written so far. */
  readonly written: number;
  /** Items buffered, not yet written. */
  readonly pending: number;
}

/**
 * A batch writer over any `write(items)` sink.
 * @example const w = createBatchWriter((xs) => store.appendServerSamples(id, xs)); w.add(x); w.close();
 */
export function createBatchWriter<T>(write: (items: T[]) => void | Promise<void>, options: BatchWriterOptions = {}): BatchWriter<T> {
  const maxBatch = options.maxBatch ?? 64;
  const flushMs = options.flushMs ?? 200;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`batch writer: maxBatch must be a positive integer, got ${maxBatch}`);
  if (!Number.isFinite(flushMs) || flushMs < 0) throw new RangeError(`batch writer: flushMs must be >= 0, got ${flushMs}`);

  let buffer: T[] = [];
  let written = 0;
  let timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  let closed = false;
  let failure: { error: unknown } | null = null;
  /** The write in progress (writes never overlap, so batches land in order). */
  let tail: Promise<unknown> = Promise.resolve();

  const clearTimer = (): void => {
    if (timer !== null) {
      if (flushMs === 0) clearImmediate(timer as NodeJS.Immediate);
      else clearTimeout(timer as NodeJS.Timeout);
    }
    timer = null;
  };
  const rethrowFailure = (): void => {
    if (failure === null) return;
    const { error } = failure;
    failure = null;
    throw error;
  };
  /** Takes what is buffered now and writes it once the previous write is done; rejects when this write fails. */
  const writeBuffered = (): Promise<number> => {
    clearTimer();
    const batch = buffer;
    buffer = [];
    const run = tail.then(async () => {
      if (batch.length === 0) return 0;
      try {
        await write(batch);
      } catch (error) {
        // Keep the items so a later flush can retry them; nothing is dropped silently.
        buffer = batch.concat(buffer);
        throw error;
      }
      written += batch.length;
      options.onFlush?.(batch.length, written);
      return batch.length;
    });
    tail = run.catch(() => undefined);
    return run;
  };
  /** A write nobody awaits: its failure is kept for the next add() and reported. */
  const writeInBackground = (): void => {
    writeBuffered().catch((error: unknown) => {
      failure = { error };
      options.onError?.(error);
    });
  };
  const onTimer = (): void => {
    timer = null;
    writeInBackground();
  };

  return {
    add(item: T): void {
      if (closed) throw new Error('batch writer: add() after close()');
      rethrowFailure();
      buffer.push(item);
      if (buffer.length >= maxBatch) writeInBackground();
      else if (timer === null) timer = flushMs === 0 ? setImmediate(onTimer) : setTimeout(onTimer, flushMs);
    },
    async flush(): Promise<number> {
      // A failed background write kept its items; writing them now settles that failure.
      const count = await writeBuffered();
      failure = null;
      return count;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await writeBuffered();
      failure = null;
    },
    get written(): number {
      return written;
    },
    get pending(): number {
      return buffer.length;
    },
  };
}

/**
 * Writes a run's request records to the store in batches.
 * @example const w = createRequestWriter(store, run.id); onRecord((r) => w.add(r)); ...; w.close();
 */
export function createRequestWriter(
  store: RunStore,
  runId: string,
  options: BatchWriterOptions = {},
): BatchWriter<RequestRecord> {
  return createBatchWriter((records) => store.appendRequests(runId, records), options);
}

/** Writes a run's server samples to the store in batches. */
export function createSampleWriter(
  store: RunStore,
  runId: string,
  options: BatchWriterOptions = {},
): BatchWriter<ServerSample> {
  return createBatchWriter((samples) => store.appendServerSamples(runId, samples), options);
}
