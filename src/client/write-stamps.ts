/**
 * When a request's bytes were handed to the socket: undici publishes `undici:request:bodySent` with its Request,
 * whose body is the very Buffer we passed, so the Buffer finds the stamp to call. One subscription per process.
 * The gap from t_send to this moment is the client's own dispatch cost (queueing in the pool, undici, the
 * event loop), the client's share of TTFT.
 */
import { subscribe } from 'node:diagnostics_channel';

const pending = new WeakMap<object, () => void>();
let subscribed = false;

/**
 * Calls `onWritten` when `body` has been written to its socket. The body must be a non-empty Buffer passed
 * to undici as is.
 *
 * @example const body = Buffer.from(json); onBodyWritten(body, () => (t = clock.now())); client.dispatch({ body, ... })
 */
export function onBodyWritten(body: Buffer, onWritten: () => void): void {
  if (!subscribed) {
    subscribed = true;
    subscribe('undici:request:bodySent', (message) => {
      const body = (message as { request?: { body?: unknown } }).request?.body;
      if (body !== null && typeof body === 'object') {
        const done = pending.get(body);
        if (done) {
          pending.delete(body);
          done();
        }
      }
    });
  }
  pending.set(body, onWritten);
}
