import { request } from 'undici';
import type { AlertStore } from './alert-store.js';

const SEND_TIMEOUT_MS = 10_000;
const POLL_MS = 1_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 300_000;

/** Wait before the next attempt after `attempts` failed ones: doubling from 1 s, at most 5 min. Never gives up. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts));
}

/**
 * Delivers the stored notification outbox in order, one at a time: a 2xx answer removes a notification, anything
 * else schedules it again with backoff. Notifications stay in the store until delivered, across restarts.
 */
export class WebhookSender {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(
    private readonly store: AlertStore,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.kick();
  }

  /** Sends what is due now (called when a notification is queued, and on a timer). */
  kick(): void {
    if (this.#stopped || this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      if (!this.#stopped) this.#timer = setTimeout(() => this.kick(), POLL_MS).unref();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  async #drain(): Promise<void> {
    for (const n of this.store.due(Date.now())) {
      if (this.#stopped) return;
      const error = await post(n.url, n.body);
      if (error === null) {
        this.store.delivered(n.seq);
      } else {
        this.store.failed(n.seq, Date.now() + backoffMs(n.attempts), error);
        this.log(`webhook ${new URL(n.url).origin}: ${error}; retrying in ${Math.round(backoffMs(n.attempts) / 1000)} s`);
        // Keep the order of one receiver's notifications: a resolved one must not overtake its firing one.
        return;
      }
    }
  }
}

async function post(url: string, body: unknown): Promise<string | null> {
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'inferscope-monitor' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    await res.body.dump();
    return res.statusCode >= 200 && res.statusCode < 300 ? null : `HTTP ${res.statusCode}`;
  } catch (err) {
    return (err as Error).message || String(err);
  }
}
