/** Longest delay setTimeout honours, ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A fan-out wake-up: waiters subscribe, `notify()` calls them all. Listeners remove themselves, so nothing piles up. */
export class Notifier {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

/**
 * Resolves on the next notify of any of the notifiers, or after `timeoutMs` when given. Subscribes synchronously, so
 * a state checked just before calling cannot change unseen.
 */
export function nextEvent(notifiers: readonly Notifier[], timeoutMs: number | null = null): Promise<void> {
  return new Promise((resolve) => {
    const offs: (() => void)[] = [];
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      for (const off of offs) off();
      resolve();
    };
    for (const n of notifiers) offs.push(n.subscribe(done));
    // Node turns delays above 2^31-1 ms into 1 ms; callers re-check their condition, so a capped wait is safe.
    if (timeoutMs !== null) timer = setTimeout(done, Math.min(MAX_TIMER_MS, Math.max(0, timeoutMs)));
  });
}

/** Whether the run should send anything more, and a notifier that fires once when it stops. */
export class RunControl {
  readonly stopping = new Notifier();
  private reason: string | null = null;

  get stopped(): boolean {
    return this.reason !== null;
  }

  /** Why the run stopped (first reason wins), null while running. */
  get stopReason(): string | null {
    return this.reason;
  }

  stop(reason: string): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.stopping.notify();
  }
}
