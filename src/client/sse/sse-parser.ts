import { EventDecoder, type SseEvent } from './event-decoder.js';
import { LineDecoder } from './line-decoder.js';

/**
 * Bytes -> SSE events: a LineDecoder feeding an EventDecoder.
 * @example
 * const p = new SseParser();
 * for (const ev of p.push(chunk)) handle(ev.data);
 * for (const ev of p.end()) handle(ev.data);
 */
export class SseParser {
  private readonly lines = new LineDecoder();
  private readonly events = new EventDecoder();

  /** Feeds one network read; returns the events completed by it, in order. */
  push(bytes: Uint8Array): SseEvent[] {
    return this.collect(this.lines.push(bytes));
  }

  /** Ends the stream; returns any event left pending (see EventDecoder.flush). */
  end(): SseEvent[] {
    const out = this.collect(this.lines.flush());
    const last = this.events.flush();
    if (last) out.push(last);
    return out;
  }

  private collect(lines: string[]): SseEvent[] {
    const out: SseEvent[] = [];
    for (let i = 0; i < lines.length; i++) {
      const ev = this.events.push(lines[i] as string);
      if (ev) out.push(ev);
    }
    return out;
  }
}

export type { SseEvent };
