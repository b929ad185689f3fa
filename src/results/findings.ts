/** What `analyze` (and every summary) says about a run: findings of documented kinds, each with its evidence. */

export const FINDING_KINDS = [
  'healthy',
  'client_limited',
  'network_overhead',
  'queueing',
  'prefill_compute',
  'decode_memory',
  'compute_saturation',
  'kv_cache_saturation',
  'rate_limited',
  'errors',
  'stalls',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  /** One plain sentence with the figures. */
  title: string;
  /** The numbers behind it (ms, shares 0-1, counts), named. */
  evidence: Record<string, number | string | null>;
  /** high: the evidence is direct (server counters, errors); medium: inferred from timing; low: suggestive. */
  confidence: 'high' | 'medium' | 'low';
  /** What a user could try. */
  advice: string[];
}

export interface Diagnosis {
  findings: Finding[];
}
