/**
 * Which per-request records a run keeps (`--records`): all of them (the default: exact percentiles, requests.jsonl
 * and the store hold every request), a share (`sample:R`, drawn by request index so shards and reruns keep the same
 * requests), or none. Without all records the summary comes from HDR histograms of every request (see
 * stats/run-aggregate.ts), so a run of any length holds the same memory.
 */
import { ConfigError } from '../config/errors.js';
import type { RequestRecord } from '../measure/record.js';

export type RecordsPolicy = { kind: 'all' } | { kind: 'sample'; share: number } | { kind: 'none' };

export const RECORDS_SYNTAX = 'all | sample:R (a share such as 0.01 or 1%) | none';

/**
 * @example parseRecordsPolicy('sample:1%') // { kind: 'sample', share: 0.01 }
 */
export function parseRecordsPolicy(text: string, field = '--records'): RecordsPolicy {
  const t = text.trim();
  if (t === 'all') return { kind: 'all' };
  if (t === 'none') return { kind: 'none' };
  const m = /^sample:(.+)$/.exec(t);
  if (m) {
    const s = m[1]!.trim();
    const share = s.endsWith('%') ? Number(s.slice(0, -1)) / 100 : Number(s);
    if (s !== '' && Number.isFinite(share) && share > 0 && share <= 1) return share === 1 ? { kind: 'all' } : { kind: 'sample', share };
  }
  throw new ConfigError(field, `${field}: expected ${RECORDS_SYNTAX}, got ${JSON.stringify(text)}`);
}

/** The records a policy keeps; null for all (nothing to filter). */
export function retainRule(policy: RecordsPolicy): ((r: RequestRecord) => boolean) | null {
  if (policy.kind === 'all') return null;
  if (policy.kind === 'none') return () => false;
  const cut = Math.floor(policy.share * 2 ** 32);
  return (r) => hashIndex(r.index) < cut;
}

/** A 32-bit mix of the request index (murmur3's finalizer): an even spread for any index pattern. */
function hashIndex(i: number): number {
  let h = i >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
