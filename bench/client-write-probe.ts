import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Clock } from '../src/measure/clock.js';

/** The fields of undici's internal Request this probe reads (undici 7 publishes the Request object itself). */
interface UndiciRequest {
  body: unknown;
}

const CREATE = 'undici:request:create';
const SEND_HEADERS = 'undici:client:sendHeaders';
const KEY = Buffer.from('"content":"r');

/**
 * Times, on the run clock, when undici created each request and when it wrote it to its socket, read from
 * undici's diagnostics channels so the product code carries no instrumentation.
 * `undici:request:create` fires when the Request object is built: at dispatch, or later when the Pool had no
 * free connection. `undici:client:sendHeaders` fires once the socket is ready for the request (after undici's
 * idle keep-alive socket check) and right before the one corked write of head and body; the write syscall
 * itself, which on loopback also runs the receiver's TCP path, then counts to the kernel's share, not the
 * client's. (`undici:request:bodySent` fires after that syscall.) Requests are matched by the bench's prompt
 * `r<index>`, found in the body bytes (chat API).
 * @example
 * const probe = new WriteProbe(clock); ...run...; probe.written.get(7); probe.stop();
 */
export class WriteProbe {
  readonly created = new Map<number, number>();
  readonly written = new Map<number, number>();
  private readonly onCreate = (msg: unknown): void => this.stamp(this.created, msg);
  private readonly onSent = (msg: unknown): void => this.stamp(this.written, msg);

  constructor(private readonly clock: Clock) {
    subscribe(CREATE, this.onCreate);
    subscribe(SEND_HEADERS, this.onSent);
  }

  /** Forgets the times gathered so far (between levels). */
  clear(): void {
    this.created.clear();
    this.written.clear();
  }

  stop(): void {
    unsubscribe(CREATE, this.onCreate);
    unsubscribe(SEND_HEADERS, this.onSent);
  }

  private stamp(into: Map<number, number>, msg: unknown): void {
    const t = this.clock.now();
    const body = (msg as { request?: UndiciRequest }).request?.body;
    if (!Buffer.isBuffer(body)) return;
    const at = body.indexOf(KEY);
    if (at === -1) return;
    let index = 0;
    let digits = 0;
    for (let i = at + KEY.length; i < body.length; i++) {
      const c = body[i] as number;
      if (c < 48 || c > 57) break;
      index = index * 10 + (c - 48);
      digits++;
    }
    if (digits > 0) into.set(index, t);
  }
}
