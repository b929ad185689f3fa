/** Raised when a queued acquire is cancelled by its signal. */
export class SlotWaitAbortedError extends Error {
  constructor(cause?: unknown) {
    super('request left the queue before a slot was free', { cause });
    this.name = 'SlotWaitAbortedError';
  }
}

interface Waiter<T> {
  resolve(item: T): void;
  reject(err: Error): void;
  cleanup(): void;
}

/**
 * A fixed set of slots (context sequences) handed out first-in first-out. A released slot goes straight
 * to the oldest waiter, so a request that arrives later can never overtake one already queued.
 *
 * @example
 * const pool = new SlotPool(['a', 'b']);
 * const slot = await pool.acquire(signal);
 * try { ... } finally { pool.release(slot); }
 */
export class SlotPool<T> {
  private readonly free: T[];
  private readonly waiters: Waiter<T>[] = [];
  private readonly size: number;

  constructor(items: readonly T[]) {
    this.free = [...items];
    this.size = items.length;
  }

  /** Requests holding a slot. */
  get inUse(): number {
    return this.size - this.free.length;
  }

  /** Requests queued for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves with a slot when one is free; rejects with SlotWaitAbortedError if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new SlotWaitAbortedError(signal.reason));
    const item = this.free.pop();
    if (item !== undefined && this.waiters.length === 0) return Promise.resolve(item);
    if (item !== undefined) this.free.push(item);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new SlotWaitAbortedError(signal?.reason));
      };
      const waiter: Waiter<T> = {
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Returns a slot; the oldest waiter gets it at once. */
  release(item: T): void {
    const next = this.waiters.shift();
    if (next) {
      next.cleanup();
      next.resolve(item);
    } else {
      this.free.push(item);
    }
  }
}
