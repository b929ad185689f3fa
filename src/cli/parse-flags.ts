import { ConfigError } from '../config/errors.js';
import { parseDurationMs } from '../config/duration.js';
import { parseLabel } from '../store/labels.js';

/** Flag value parsers: each failure names the flag and the accepted form. */

export function positiveInt(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) {
      throw new ConfigError(flag, `${flag}: expected a positive integer, got ${JSON.stringify(text)}`);
    }
    return n;
  };
}

export function nonNegativeInt(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
      throw new ConfigError(flag, `${flag}: expected a whole number >= 0, got ${JSON.stringify(text)}`);
    }
    return n;
  };
}

export function positiveNumber(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw new ConfigError(flag, `${flag}: expected a number > 0, got ${JSON.stringify(text)}`);
    }
    return n;
  };
}

export function nonNegativeNumber(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new ConfigError(flag, `${flag}: expected a number >= 0, got ${JSON.stringify(text)}`);
    }
    return n;
  };
}

/** Seconds: "30", "30s", "2m", "1.5". */
export function seconds(flag: string) {
  return (text: string): number => parseDurationMs(text, { field: flag, bareUnit: 's', allowZero: true }) / 1000;
}

/** Milliseconds for timeouts: "30s", "500ms"; a bare number is seconds. */
export function timeoutMs(flag: string) {
  return (text: string): number => parseDurationMs(text, { field: flag, bareUnit: 's', allowZero: false });
}

/** Repeatable "K:V" header flag. */
export function collectHeader(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = text.indexOf(':');
  if (at <= 0) throw new ConfigError('--header', `--header: expected NAME:VALUE, got ${JSON.stringify(text)}`);
  return { ...previous, [text.slice(0, at).trim()]: text.slice(at + 1).trim() };
}

/** Repeatable "key=value" label flag, checked by the store's own label rules before anything runs. */
export function collectLabel(text: string, previous: Record<string, string> = {}): Record<string, string> {
  try {
    const { key, value } = parseLabel(text);
    return { ...previous, [key]: value };
  } catch (err) {
    throw new ConfigError('--label', `--label: ${(err as Error).message}`, { cause: err });
  }
}

export function collect(text: string, previous: string[] = []): string[] {
  return [...previous, text];
}

export function oneOf<T extends string>(flag: string, allowed: readonly T[]) {
  return (text: string): T => {
    if (!(allowed as readonly string[]).includes(text)) {
      throw new ConfigError(flag, `${flag}: ${JSON.stringify(text)} is not one of ${allowed.join(', ')}`);
    }
    return text as T;
  };
}

/** A TCP port: 0 (any free port) to 65535. */
export function portNumber(flag: string) {
  return (text: string): number => {
    const n = nonNegativeInt(flag)(text);
    if (n > 65_535) throw new ConfigError(flag, `${flag}: a port is 0 to 65535, got ${n}`);
    return n;
  };
}

/** A share 0-1 given as a fraction ("0.1") or a percentage ("10%"). */
export function shareOrPercent(flag: string) {
  return (text: string): number => {
    const t = text.trim();
    const n = t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
    if (t === '' || !Number.isFinite(n) || n < 0 || n > 1) {
      throw new ConfigError(flag, `${flag}: expected a share like 0.1 or 10%, got ${JSON.stringify(text)}`);
    }
    return n;
  };
}

/** A share above 0 and at most 1 (e.g. 0.99). */
export function share(flag: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!(n > 0 && n <= 1)) throw new ConfigError(flag, `${flag}: a share above 0 and at most 1 (e.g. 0.99), got ${JSON.stringify(text)}`);
    return n;
  };
}
