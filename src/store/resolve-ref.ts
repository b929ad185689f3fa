import { StoreError } from './errors.js';
import { looksLikeIdPrefix } from './ids.js';

const AMBIGUOUS_LIST_MAX = 10;

/** How a backend looks a run up; each returns the run or nothing. */
export interface RunLookups<T> {
  byId(id: string): Promise<T | undefined>;
  byBaseline(name: string): Promise<T | undefined>;
  /** Ids starting with `prefix`, newest first, at most `limit`. */
  idsWithPrefix(prefix: string, limit: number): Promise<string[]>;
}

/**
 * Resolves what a user typed for a run, the same way on every backend: an exact id, else a baseline name, else an
 * unambiguous id prefix. Throws StoreError `not_found` or `ambiguous` (listing the matches).
 */
export async function resolveRunRef<T>(ref: string, lookups: RunLookups<T>): Promise<T> {
  const wanted = ref.trim();
  if (wanted === '') throw new StoreError('invalid_input', 'run reference is empty (give a run id, id prefix or baseline name)');
  const byId = await lookups.byId(wanted.toLowerCase());
  if (byId !== undefined) return byId;
  const byBaseline = await lookups.byBaseline(wanted);
  if (byBaseline !== undefined) return byBaseline;
  if (looksLikeIdPrefix(wanted)) {
    const ids = await lookups.idsWithPrefix(wanted.toLowerCase(), AMBIGUOUS_LIST_MAX + 1);
    if (ids.length === 1) {
      const only = await lookups.byId(ids[0]!);
      if (only !== undefined) return only;
    }
    if (ids.length > 1) {
      const shown = ids.slice(0, AMBIGUOUS_LIST_MAX).join(', ');
      const more = ids.length > AMBIGUOUS_LIST_MAX ? ', ...' : '';
      throw new StoreError('ambiguous', `run id prefix "${wanted}" is ambiguous; it matches ${shown}${more}. Give more characters.`, {
        matches: ids.slice(0, AMBIGUOUS_LIST_MAX),
      });
    }
  }
  throw new StoreError('not_found', `no run matches "${wanted}" (not a run id, id prefix or baseline name)`);
}
