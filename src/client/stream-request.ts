import type { Dispatcher } from 'undici';
import type { Clock } from '../measure/clock.js';
import type { ErrorClass, RequestError, RequestRecord } from '../measure/record.js';
import type { RequestSpec } from '../workload/spec.js';
import { buildRecord } from './build-record.js';
import {
  ClientAbort,
  classifyNetworkError,
  cleanMessage,
  httpError,
  networkErrorMessage,
} from './errors.js';
import type { ReadStamp } from './read-stamp.js';
import { parseJsonData } from './sse/json-data.js';
import { SseParser } from './sse/sse-parser.js';
import { StreamAccumulator } from './stream-accumulator.js';
import type { SendContext, Timeouts } from './types.js';

/** Largest error or non-streamed body kept for classification. */
const MAX_BODY_BYTES = 64 * 1024;

type Mode = 'waiting' | 'stream' | 'body';

/** What a StreamRequest needs from its client. */
export interface StreamRequestEnv {
  clock: Clock;
  stamp: ReadStamp;
  timeouts: Timeouts;
  apiKey: string | undefined;
  saveText: boolean;
}

/**
 * One streaming request as an undici dispatch handler: it timestamps reads, feeds the SSE parser, enforces
 * the ttft / idle / total timeouts with a single re-armed timer, and resolves exactly once with a record.
 * Every failure becomes a classified record; nothing here throws to the caller.
 */
export class StreamRequest implements Dispatcher.DispatchHandler {
  readonly done: Promise<RequestRecord>;
  private resolve!: (r: RequestRecord) => void;
  private controller: Dispatcher.DispatchController | null = null;
  private pendingAbort: Error | null = null;
  private finished = false;
  private mode: Mode = 'waiting';
  private status: number | null = null;
  private tHeaders: number | null = null;
  private lastRead = 0;
  private sawDone = false;
  private readonly parser = new SseParser();
  private readonly acc = new StreamAccumulator();
  private bodyParts: Buffer[] = [];
  private bodyBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private readonly tSend: number;
  private tWritten: number | null = null;
  /** Called when the request's bytes were handed to the socket. */
  readonly markWritten = (): void => {
    if (this.tWritten === null) this.tWritten = this.env.clock.now();
  };
  /** Set by the pool: the request went out on a connection that had carried an earlier one. */
  reusedConnection = false;
  /**
   * True when the server closed a reused connection before sending a byte of its answer: the request was
   * written into a socket the server was closing and never read, so sending it again is safe.
   */
  peerClosedBeforeAnswer = false;
  private readonly onAbortSignal = (): void => this.fail('aborted', 'request aborted by the caller');

  constructor(
    private readonly env: StreamRequestEnv,
    private readonly spec: RequestSpec,
    private readonly ctx: SendContext,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
    this.tSend = env.clock.now();
    this.lastRead = this.tSend;
    ctx.signal?.addEventListener('abort', this.onAbortSignal, { once: true });
    this.arm();
  }

  /** Send time, taken when the request was created, right before dispatch. */
  get t_send(): number {
    return this.tSend;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (this.finished) return;
    const t = this.env.stamp.now();
    // 1xx informational answers precede the real one.
    if (statusCode < 200) return;
    this.tHeaders = t;
    this.lastRead = t;
    this.status = statusCode;
    // The idle deadline starts now; the timer may still be set for the later TTFT deadline.
    if (this.nextDeadline() < this.timerAt) {
      if (this.timer) clearTimeout(this.timer);
      this.arm();
    }
    const ct = String(headers['content-type'] ?? '').toLowerCase();
    this.mode = statusCode >= 200 && statusCode < 300 && !ct.includes('application/json') ? 'stream' : 'body';
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.finished) return;
    const t = this.env.stamp.now();
    this.lastRead = t;
    if (this.mode !== 'stream') {
      if (this.bodyBytes < MAX_BODY_BYTES) {
        this.bodyParts.push(chunk);
        this.bodyBytes += chunk.length;
      }
      return;
    }
    const events = this.parser.push(chunk);
    for (let i = 0; i < events.length && !this.finished; i++) this.handleEvent(events[i]!.event, events[i]!.data, t);
  }

  onResponseEnd(): void {
    if (this.finished) return;
    if (this.mode === 'stream') {
      for (const ev of this.parser.end()) {
        if (this.finished) return;
        this.handleEvent(ev.event, ev.data, this.lastRead);
      }
      if (this.finished) return;
      if (!this.sawDone && this.acc.finishReason === null) {
        this.fail('protocol_error', 'stream ended without [DONE] and without a finish_reason', false);
      } else if (this.acc.chunks.length === 0) {
        this.fail('empty_response', 'stream finished without any token-bearing chunk', false);
      } else {
        this.finish(null);
      }
      return;
    }
    const body = Buffer.concat(this.bodyParts).toString('utf8');
    const status = this.status ?? 0;
    if (status >= 200 && status < 300) {
      const err = nonStreamedError(body);
      if (err) this.fail('server_error_event', err, false);
      else this.fail('protocol_error', 'server answered with JSON instead of an event stream (stream: true ignored?)', false);
      return;
    }
    this.finish(httpError(status, body, this.env.apiKey));
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.finished) return;
    const cls = classifyNetworkError(err);
    this.peerClosedBeforeAnswer = cls === 'connection_reset' && this.reusedConnection && this.status === null && this.lastRead === this.tSend;
    this.finish({ class: cls, message: networkErrorMessage(err, this.env.apiKey) });
  }

  /** Fails the request now (timeouts, bad data, caller abort) and aborts the HTTP exchange. */
  fail(errorClass: ErrorClass, message: string, abortHttp = true): void {
    if (this.finished) return;
    this.finish({ class: errorClass, message: cleanMessage(message, this.env.apiKey) });
    if (abortHttp) {
      const reason = new ClientAbort(errorClass, message);
      if (this.controller) this.controller.abort(reason);
      else this.pendingAbort = reason;
    }
  }

  private handleEvent(event: string, data: string, t: number): void {
    if (this.sawDone) return;
    if (event === 'error') {
      this.fail('server_error_event', `error event: ${nonStreamedError(data) ?? data}`);
      return;
    }
    const parsed = parseJsonData(data);
    if (parsed.kind === 'done') {
      this.sawDone = true;
      return;
    }
    if (parsed.kind === 'malformed') {
      this.fail('protocol_error', parsed.message);
      return;
    }
    const outcome = this.acc.apply(parsed.value, t);
    if (outcome.kind === 'error') this.fail('server_error_event', `error event: ${outcome.message}`);
  }

  /** Re-arms the single timer for the nearest deadline; a read only updates lastRead, never the timer. */
  private arm(): void {
    const next = this.nextDeadline();
    if (next === Infinity) return;
    const delay = Math.max(1, Math.ceil(next - this.env.clock.now()));
    this.timerAt = next;
    this.timer = setTimeout(this.check, delay);
  }

  private readonly check = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.finished) return;
    const now = this.env.clock.now();
    const expired = this.expired(now);
    if (expired) this.fail(expired.cls, expired.message);
    else this.arm();
  };

  private nextDeadline(): number {
    const { ttft_ms, idle_ms, total_ms } = this.env.timeouts;
    let next = Infinity;
    if (enabled(total_ms)) next = Math.min(next, this.tSend + total_ms);
    if (enabled(ttft_ms) && this.acc.chunks.length === 0) next = Math.min(next, this.tSend + ttft_ms);
    if (enabled(idle_ms) && this.tHeaders !== null) next = Math.min(next, this.lastRead + idle_ms);
    return next;
  }

  private expired(now: number): { cls: ErrorClass; message: string } | null {
    const { ttft_ms, idle_ms, total_ms } = this.env.timeouts;
    // Earliest expired deadline wins, so the class names what went wrong first.
    const candidates: Array<{ at: number; cls: ErrorClass; message: string }> = [];
    if (enabled(ttft_ms) && this.acc.chunks.length === 0) {
      candidates.push({ at: this.tSend + ttft_ms, cls: 'timeout_ttft', message: `no token within ${ttft_ms} ms of send` });
    }
    if (enabled(idle_ms) && this.tHeaders !== null) {
      candidates.push({ at: this.lastRead + idle_ms, cls: 'timeout_idle', message: `no data for ${idle_ms} ms while streaming` });
    }
    if (enabled(total_ms)) {
      candidates.push({ at: this.tSend + total_ms, cls: 'timeout_total', message: `request exceeded ${total_ms} ms in total` });
    }
    let best: (typeof candidates)[number] | null = null;
    for (const c of candidates) if (c.at <= now && (best === null || c.at < best.at)) best = c;
    return best;
  }

  private finish(error: RequestError | null): void {
    if (this.finished) return;
    this.finished = true;
    const tEnd = this.env.clock.now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ctx.signal?.removeEventListener('abort', this.onAbortSignal);
    this.bodyParts = [];
    const outcome = {
      index: this.ctx.index,
      warmup: this.ctx.warmup,
      t_sched: this.ctx.t_sched,
      t_send: this.tSend,
      ...(this.tWritten !== null ? { t_written: this.tWritten } : {}),
      t_headers: this.tHeaders,
      t_end: tEnd,
      http_status: this.status,
      error,
    };
    try {
      this.resolve(buildRecord(outcome, this.acc, this.spec, this.env.saveText));
    } catch (err) {
      // Token counting failed (should not happen); keep the record, flag the failure.
      const e: RequestError = error ?? { class: 'unknown', message: `record building failed: ${String(err)}` };
      this.resolve(buildRecord({ ...outcome, error: e }, new StreamAccumulator(), this.spec, false));
    }
  }
}

function enabled(ms: number): boolean {
  return Number.isFinite(ms) && ms > 0;
}

/** Message of a JSON body carrying `error`, or null. */
function nonStreamedError(body: string): string | null {
  try {
    const v = JSON.parse(body) as Record<string, unknown> | null;
    if (v && typeof v === 'object' && v.error != null) {
      const e = v.error as Record<string, unknown> | string;
      return typeof e === 'string' ? e : typeof e.message === 'string' ? e.message : JSON.stringify(e);
    }
  } catch {
    // not JSON
  }
  return null;
}
