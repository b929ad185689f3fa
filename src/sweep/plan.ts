import { ConfigError } from '../config/errors.js';

/** What a sweep varies: closed-loop concurrency or open-loop request rate, over the given values in order. */
export interface SweepAxis {
  kind: 'concurrency' | 'rate';
  values: number[];
  /** Loads chosen from the server's answers (`--concurrency auto`, `--rate auto`); `values` fills as they run. */
  auto?: boolean;
}

/**
 * `auto` or a value list.
 * @example parseSweepAxis('auto', 'rate', '--rate') // { kind: 'rate', values: [], auto: true }
 */
export function parseSweepAxis(text: string, kind: SweepAxis['kind'], flag: string): SweepAxis {
  if (text.trim().toLowerCase() === 'auto') return { kind, values: [], auto: true };
  return { kind, values: parseSweepValues(text, kind, flag) };
}

/** Most steps one sweep may have: a guard against a typo like "1,2,4,...,10000". */
const MAX_STEPS = 200;

/**
 * Parses "1,2,4,8" (concurrency: positive integers; rate: positive numbers), sorted ascending, duplicates refused.
 *
 * @example parseSweepValues('8, 1,2', 'concurrency', '--concurrency') // [1, 2, 8]
 */
export function parseSweepValues(text: string, kind: SweepAxis['kind'], flag: string): number[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new ConfigError(flag, `${flag}: give a comma list like "1,2,4,8"`);
  const values = parts.map((p) => {
    const n = Number(p);
    const ok = kind === 'concurrency' ? Number.isInteger(n) && n >= 1 && n <= 100_000 : Number.isFinite(n) && n > 0 && n <= 1_000_000;
    if (!ok) {
      throw new ConfigError(flag, `${flag}: ${JSON.stringify(p)} is not ${kind === 'concurrency' ? 'a whole number from 1 to 100000' : 'a rate above 0 (requests/s)'}`);
    }
    return n;
  });
  const sorted = [...values].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) throw new ConfigError(flag, `${flag}: ${sorted[i]} is given twice`);
  if (sorted.length > MAX_STEPS) throw new ConfigError(flag, `${flag}: ${sorted.length} steps; at most ${MAX_STEPS}`);
  return sorted;
}
