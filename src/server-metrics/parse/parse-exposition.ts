import { FamilyBuilder, metricTypeOf } from './family-builder.js';
import { parseGoFloat } from './go-float.js';
import { ParseError } from './parse-error.js';
import type { Exemplar, ExpositionFormat, Labels, MetricFamily, Sample } from './types.js';

export interface ParseOptions {
  /** Force a format; otherwise taken from `contentType`, else OpenMetrics when the text ends with `# EOF`. */
  format?: ExpositionFormat;
  /** The response's Content-Type header, if any. */
  contentType?: string;
}

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const HASH = 35;
const COMMA = 44;
const EQUALS = 61;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/** Decides the format from an explicit option, the Content-Type, or a trailing `# EOF`. */
export function resolveFormat(text: string, options: ParseOptions = {}): ExpositionFormat {
  if (options.format) return options.format;
  const ct = options.contentType?.toLowerCase();
  if (ct?.includes('application/openmetrics-text')) return 'openmetrics';
  if (ct?.includes('text/plain')) return 'prometheus';
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== LF && c !== CR && c !== SPACE && c !== TAB) break;
    end--;
  }
  return end >= 5 && text.startsWith('# EOF', end - 5) ? 'openmetrics' : 'prometheus';
}

/**
 * Parses Prometheus text 0.0.4 or OpenMetrics 1.0 into metric families, in one pass over the string.
 * Timestamps come out in epoch milliseconds in both formats. Throws ParseError (with the line) on
 * malformed input; never loops without consuming input.
 *
 * @example
 * const families = parseExposition('# TYPE up gauge\nup{job="a"} 1\n');
 * // [{ name: 'up', type: 'gauge', help: '', unit: '', samples: [{ name: 'up', labels: { job: 'a' }, value: 1 }] }]
 */
export function parseExposition(text: string, options: ParseOptions = {}): MetricFamily[] {
  return new ExpositionParser(text, resolveFormat(text, options)).run();
}

class ExpositionParser {
  private pos = 0;
  private end = 0;
  private lineStart = 0;
  private line = 0;
  private readonly builder = new FamilyBuilder();
  private readonly om: boolean;
  private sawEof = false;

  constructor(
    private readonly text: string,
    format: ExpositionFormat,
  ) {
    this.om = format === 'openmetrics';
  }

  run(): MetricFamily[] {
    const text = this.text;
    const n = text.length;
    let start = 0;
    while (start < n) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = n;
      this.line++;
      this.lineStart = start;
      this.pos = start;
      this.end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      this.parseLine();
      start = nl + 1;
    }
    if (this.om && !this.sawEof) {
      this.line = Math.max(this.line, 1);
      this.fail('OpenMetrics exposition does not end with # EOF (truncated?)');
    }
    return this.builder.families;
  }

  private fail(message: string): never {
    throw new ParseError(message, this.line, this.pos - this.lineStart + 1);
  }

  private skipBlanks(): void {
    const t = this.text;
    while (this.pos < this.end) {
      const c = t.charCodeAt(this.pos);
      if (c !== SPACE && c !== TAB) break;
      this.pos++;
    }
  }

  private parseLine(): void {
    this.skipBlanks();
    if (this.pos >= this.end) return; // blank line
    if (this.sawEof) this.fail('content after # EOF');
    if (this.text.charCodeAt(this.pos) === HASH) this.parseComment();
    else this.parseSample();
  }

  /** Reads a bare word up to the next blank. */
  private readWord(): string {
    const t = this.text;
    const s = this.pos;
    while (this.pos < this.end) {
      const c = t.charCodeAt(this.pos);
      if (c === SPACE || c === TAB) break;
      this.pos++;
    }
    return t.slice(s, this.pos);
  }

  private parseComment(): void {
    this.pos++; // '#'
    this.skipBlanks();
    const keyword = this.readWord();
    if (keyword === 'EOF' && this.pos >= this.end) {
      // Only OpenMetrics ends with # EOF; in Prometheus text it is an ordinary comment.
      if (this.om) this.sawEof = true;
      return;
    }
    if (keyword !== 'HELP' && keyword !== 'TYPE' && keyword !== 'UNIT') return; // plain comment
    const afterKeyword = this.pos;
    this.skipBlanks();
    if (this.pos === afterKeyword || this.pos >= this.end) this.fail(`expected a metric name after # ${keyword}`);
    const name = this.text.charCodeAt(this.pos) === QUOTE ? this.readQuoted('metric name') : this.readMetricName();
    if (this.pos < this.end) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== SPACE && c !== TAB) this.fail(`unexpected character after metric name in # ${keyword}`);
      this.pos++;
    }
    if (keyword === 'HELP') {
      this.skipBlanks();
      this.builder.setHelp(name, this.unescapeHelp(this.pos, this.end));
      return;
    }
    this.skipBlanks();
    const word = this.readWord();
    this.skipBlanks();
    if (this.pos < this.end) this.fail(`unexpected text after # ${keyword} ${name} ${word}`);
    if (keyword === 'UNIT') {
      this.builder.setUnit(name, word);
      return;
    }
    const type = metricTypeOf(word);
    if (type === undefined) this.fail(`unknown metric type "${word}" for ${name}`);
    const err = this.builder.setType(name, type);
    if (err) this.fail(err);
  }

  private unescapeHelp(from: number, to: number): string {
    const t = this.text;
    const raw = t.slice(from, to);
    if (raw.indexOf('\\') < 0) return raw;
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if (c === BACKSLASH && i + 1 < raw.length) {
        const d = raw.charCodeAt(i + 1);
        if (d === BACKSLASH) out += '\\';
        else if (d === 110) out += '\n';
        else if (d === QUOTE) out += '"';
        else {
          out += raw[i];
          continue;
        }
        i++;
      } else out += raw[i];
    }
    return out;
  }

  private readMetricName(): string {
    const t = this.text;
    const s = this.pos;
    if (this.pos >= this.end || !isNameStart(t.charCodeAt(this.pos))) this.fail('expected a metric name');
    this.pos++;
    while (this.pos < this.end && isNameChar(t.charCodeAt(this.pos))) this.pos++;
    return t.slice(s, this.pos);
  }

  private readLabelName(): string {
    const t = this.text;
    const s = this.pos;
    const c0 = t.charCodeAt(this.pos);
    if (this.pos >= this.end || !isNameStart(c0) || c0 === 58) this.fail('expected a label name');
    this.pos++;
    while (this.pos < this.end) {
      const c = t.charCodeAt(this.pos);
      if (c === 58) this.fail('colon is not allowed in a label name');
      if (!isNameChar(c)) break;
      this.pos++;
    }
    return t.slice(s, this.pos);
  }

  /** Reads a double-quoted string at pos, unescaping `\\`, `\"` and `\n` (other escapes kept as written). */
  private readQuoted(what: string): string {
    const t = this.text;
    this.pos++; // opening quote
    const s = this.pos;
    let out: string | undefined;
    let chunk = s;
    while (this.pos < this.end) {
      const c = t.charCodeAt(this.pos);
      if (c === QUOTE) {
        const v = out === undefined ? t.slice(s, this.pos) : out + t.slice(chunk, this.pos);
        this.pos++;
        return v;
      }
      if (c === BACKSLASH) {
        if (this.pos + 1 >= this.end) break;
        const d = t.charCodeAt(this.pos + 1);
        out = (out ?? '') + t.slice(chunk, this.pos);
        if (d === BACKSLASH) out += '\\';
        else if (d === QUOTE) out += '"';
        else if (d === 110) out += '\n';
        else out += t.slice(this.pos, this.pos + 2);
        this.pos += 2;
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
    return this.fail(`unterminated quoted ${what}`);
  }

  /**
   * Reads `{...}` at pos. When `wantName` is set, a leading quoted string not followed by `=` is the metric
   * name (`{"my.metric", a="b"}`), stored in this.quotedName.
   */
  private quotedName: string | undefined;
  private readLabels(wantName: boolean): Labels {
    const t = this.text;
    const labels: Labels = {};
    this.pos++; // '{'
    let first = true;
    for (;;) {
      this.skipBlanks();
      if (this.pos >= this.end) this.fail('unterminated label set');
      let c = t.charCodeAt(this.pos);
      if (c === RBRACE) {
        this.pos++;
        return labels;
      }
      let name: string;
      if (c === QUOTE) {
        name = this.readQuoted('name');
        this.skipBlanks();
        const next = this.pos < this.end ? t.charCodeAt(this.pos) : -1;
        if (next !== EQUALS) {
          if (!(wantName && first && this.quotedName === undefined)) this.fail(`expected '=' after label name "${name}"`);
          this.quotedName = name;
          first = false;
          if (next === COMMA) this.pos++;
          else if (next !== RBRACE) this.fail('expected "," or "}" after quoted metric name');
          continue;
        }
      } else {
        name = this.readLabelName();
        this.skipBlanks();
      }
      first = false;
      if (this.pos >= this.end || t.charCodeAt(this.pos) !== EQUALS) this.fail(`expected '=' after label name ${name}`);
      this.pos++;
      this.skipBlanks();
      if (this.pos >= this.end || t.charCodeAt(this.pos) !== QUOTE) this.fail(`expected '"' to open the value of label ${name}`);
      const value = this.readQuoted(`value of label ${name}`);
      if (Object.prototype.hasOwnProperty.call(labels, name)) this.fail(`duplicate label ${name}`);
      if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
      else labels[name] = value;
      this.skipBlanks();
      if (this.pos >= this.end) this.fail('unterminated label set');
      c = t.charCodeAt(this.pos);
      if (c === COMMA) this.pos++;
      else if (c !== RBRACE) this.fail(`expected ',' or '}' after the value of label ${name}`);
    }
  }

  private parseSample(): void {
    const t = this.text;
    let name: string;
    let labels: Labels;
    if (t.charCodeAt(this.pos) === LBRACE) {
      this.quotedName = undefined;
      labels = this.readLabels(true);
      if (this.quotedName === undefined) this.fail('sample has no metric name');
      name = this.quotedName;
    } else {
      name = this.readMetricName();
      this.skipBlanks();
      labels = this.pos < this.end && t.charCodeAt(this.pos) === LBRACE ? this.readLabels(false) : {};
    }
    this.skipBlanks();
    if (this.pos >= this.end) this.fail(`missing value for ${name}`);
    const value = this.readNumber('value');
    const sample: Sample = { name, labels, value };
    this.skipBlanks();
    if (this.pos < this.end && t.charCodeAt(this.pos) !== HASH) {
      sample.timestamp = this.readTimestamp();
      this.skipBlanks();
    }
    if (this.pos < this.end) {
      if (t.charCodeAt(this.pos) !== HASH) this.fail('unexpected text after sample');
      sample.exemplar = this.readExemplar();
    }
    this.builder.addSample(sample);
  }

  private readNumber(what: string): number {
    const start = this.pos;
    const word = this.readWord();
    const v = parseGoFloat(word);
    if (v === undefined) {
      this.pos = start;
      this.fail(`invalid ${what} "${word}"`);
    }
    return v;
  }

  private readTimestamp(): number {
    const start = this.pos;
    const v = this.readNumber('timestamp');
    if (!Number.isFinite(v)) {
      this.pos = start;
      this.fail('timestamp must be finite');
    }
    if (this.om) return v * 1000;
    if (!Number.isInteger(v)) {
      this.pos = start;
      this.fail('timestamp must be integer milliseconds in Prometheus text format');
    }
    return v;
  }

  private readExemplar(): Exemplar {
    this.pos++; // '#'
    this.skipBlanks();
    if (this.pos >= this.end || this.text.charCodeAt(this.pos) !== LBRACE) this.fail("expected '{' to open an exemplar");
    const labels = this.readLabels(false);
    this.skipBlanks();
    if (this.pos >= this.end) this.fail('exemplar has no value');
    const exemplar: Exemplar = { labels, value: this.readNumber('exemplar value') };
    this.skipBlanks();
    if (this.pos < this.end) {
      const start = this.pos;
      const ts = this.readNumber('exemplar timestamp');
      if (!Number.isFinite(ts)) {
        this.pos = start;
        this.fail('exemplar timestamp must be finite');
      }
      exemplar.timestamp = ts * 1000; // exemplar timestamps are seconds
      this.skipBlanks();
      if (this.pos < this.end) this.fail('unexpected text after exemplar');
    }
    return exemplar;
  }
}
