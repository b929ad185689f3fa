/**
 * Finds stop strings in generated text as it grows token by token. Text already streamed is never
 * retracted: if a stop string began in an earlier token, that part has been sent and only the rest is cut.
 */
export class StopMatcher {
  private text = '';
  private readonly longest: number;

  constructor(private readonly stops: readonly string[]) {
    this.longest = stops.reduce((m, s) => Math.max(m, s.length), 0);
  }

  /** All text accepted so far (up to, not including, a matched stop string). */
  get output(): string {
    return this.text;
  }

  /**
   * Appends one token's text. Returns the part to emit and whether a stop string was hit.
   *
   * @example
   * const m = new StopMatcher(['\n\n']);
   * m.push('a\n'); // { emit: 'a\n', stopped: false }
   * m.push('\nb'); // { emit: '', stopped: true }, m.output === 'a\n'
   */
  push(piece: string): { emit: string; stopped: boolean } {
    if (this.stops.length === 0 || piece.length === 0) {
      this.text += piece;
      return { emit: piece, stopped: false };
    }
    const before = this.text.length;
    const combined = this.text + piece;
    // Only a match that ends inside the new piece can be new.
    const from = Math.max(0, before - this.longest + 1);
    let cut = -1;
    for (const s of this.stops) {
      if (s.length === 0) continue;
      const i = combined.indexOf(s, from);
      if (i >= 0 && (cut < 0 || i < cut)) cut = i;
    }
    if (cut < 0) {
      this.text = combined;
      return { emit: piece, stopped: false };
    }
    this.text = combined.slice(0, Math.max(cut, before));
    return { emit: combined.slice(before, Math.max(cut, before)), stopped: true };
  }
}
