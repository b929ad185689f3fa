/**
 * Bytes -> lines. Splits on `\n`, `\r\n` and lone `\r` (the three SSE line endings), including a `\r\n`
 * split across two reads, and decodes UTF-8 with a streaming TextDecoder so a multi-byte character split
 * across reads is joined rather than replaced. Work is per read, never per byte.
 */
export class LineDecoder {
  private readonly decoder = new TextDecoder('utf-8');
  /** Text after the last line ending seen so far. */
  private pending = '';
  /** The previous read ended in `\r`: a `\n` starting the next read belongs to that line ending. */
  private skipLeadingLf = false;

  /**
   * Feeds one read and returns the complete lines it finished (without their line endings).
   * @example
   * const d = new LineDecoder();
   * d.push(enc('data: a\r')); // ['data: a']
   * d.push(enc('\ndata: b\n')); // ['data: b']
   */
  push(bytes: Uint8Array): string[] {
    let text = this.decoder.decode(bytes, { stream: true });
    if (this.skipLeadingLf) {
      if (text.length === 0) return [];
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    return this.split(text, false);
  }

  /** Ends the input: returns the last unterminated line, if any, and resets the decoder. */
  flush(): string[] {
    const tail = this.decoder.decode();
    this.skipLeadingLf = false;
    return this.split(tail, true);
  }

  private split(text: string, final: boolean): string[] {
    const lines: string[] = [];
    const n = text.length;
    let start = 0;
    // Next known positions of each ending; searched again only once passed, so a read is scanned O(n).
    let lf = text.indexOf('\n');
    let cr = text.indexOf('\r');
    while (lf !== -1 || cr !== -1) {
      const isCr = cr !== -1 && (lf === -1 || cr < lf);
      const end = isCr ? cr : lf;
      if (start === 0 && this.pending.length > 0) {
        lines.push(this.pending + text.slice(0, end));
        this.pending = '';
      } else {
        lines.push(text.slice(start, end));
      }
      start = end + 1;
      if (isCr) {
        if (start < n) {
          if (text.charCodeAt(start) === 10) start++;
        } else if (!final) {
          this.skipLeadingLf = true;
        }
      }
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
    }
    if (start < n) this.pending = start === 0 ? this.pending + text : text.slice(start);
    if (final && this.pending.length > 0) {
      lines.push(this.pending);
      this.pending = '';
    }
    return lines;
  }
}
