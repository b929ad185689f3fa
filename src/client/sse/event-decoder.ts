/** One server-sent event (https://html.spec.whatwg.org/multipage/server-sent-events.html). */
export interface SseEvent {
  /** `event:` field; 'message' when absent. */
  event: string;
  /** `data:` lines joined with '\n'. */
  data: string;
  /** Last `id:` seen on this stream, or null. */
  id: string | null;
}

/**
 * Lines -> events. Implements the SSE field rules: `data:` lines accumulate (joined with '\n'), `event:` and
 * `id:` set the event's type and id, lines starting with ':' are comments (pings) and are ignored, one space
 * after the colon is stripped, and a blank line dispatches the event. An event with no data is not dispatched.
 */
export class EventDecoder {
  private data: string[] = [];
  private event = '';
  private lastId: string | null = null;

  /**
   * Feeds one line (without its ending); returns the event it completed, or null.
   * @example
   * const d = new EventDecoder();
   * d.push('data: {"a":1}'); // null
   * d.push('');              // { event: 'message', data: '{"a":1}', id: null }
   */
  push(line: string): SseEvent | null {
    if (line.length === 0) return this.dispatch();
    const first = line.charCodeAt(0);
    if (first === 58 /* ':' */) return null;
    // Fast path for the overwhelmingly common `data: ...` line.
    if (first === 100 /* 'd' */ && line.startsWith('data:')) {
      this.data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
      return null;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        // 'retry' and unknown fields carry nothing a benchmark needs.
        break;
    }
    return null;
  }

  /**
   * Ends the stream. Unlike a browser, a pending event that lacks its closing blank line is dispatched,
   * because servers that end with `data: [DONE]` and no blank line are common and their data is meaningful.
   */
  flush(): SseEvent | null {
    return this.dispatch();
  }

  private dispatch(): SseEvent | null {
    if (this.data.length === 0) {
      this.event = '';
      return null;
    }
    const data = this.data.length === 1 ? (this.data[0] as string) : this.data.join('\n');
    const ev: SseEvent = { event: this.event || 'message', data, id: this.lastId };
    this.data = [];
    this.event = '';
    return ev;
  }
}
