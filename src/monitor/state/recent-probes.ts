import type { ProbeRow } from '../store/monitor-store.js';

/** The last few probes of each (target, probe) pair in memory: latest status and k-of-n checks without a query. */
export class RecentProbes {
  readonly #byPair = new Map<string, ProbeRow[]>();

  constructor(private readonly keep: number) {}

  add(p: ProbeRow): void {
    const key = pairKey(p.target, p.probe);
    let list = this.#byPair.get(key);
    if (!list) this.#byPair.set(key, (list = []));
    list.push(p);
    if (list.length > this.keep) list.splice(0, list.length - this.keep);
  }

  /** Oldest first. */
  of(target: string, probe: string): readonly ProbeRow[] {
    return this.#byPair.get(pairKey(target, probe)) ?? [];
  }

  last(target: string, probe: string): ProbeRow | null {
    const list = this.of(target, probe);
    return list[list.length - 1] ?? null;
  }
}

export const pairKey = (target: string, probe: string): string => `${target}\u0000${probe}`;
