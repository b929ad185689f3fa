/** Data step of schema migration 3: moves the chunk list of each stored request record into the `chunks` blob. */
import type { Database } from 'better-sqlite3';
import type { RequestRecord } from '../measure/record.js';
import { encodeRecord } from './record-codec.js';

const PAGE_ROWS = 1000;

/**
 * Rewrites every request row whose chunks are still inside `record_json`. Rows whose JSON does not parse
 * or whose chunks cannot be encoded exactly are left as they are: reading them behaves as before.
 * Pages by `seq` because better-sqlite3 cannot update while a SELECT is being iterated.
 * @example compactRequestRows(db) // inside the migration transaction
 */
export function compactRequestRows(db: Database): { converted: number; kept: number } {
  const select = db.prepare<[number, number], { seq: number; record_json: string }>(
    'SELECT seq, record_json FROM requests WHERE seq > ? AND chunks IS NULL ORDER BY seq LIMIT ?',
  );
  const update = db.prepare('UPDATE requests SET record_json = ?, chunks = ? WHERE seq = ?');
  let converted = 0;
  let kept = 0;
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = select.all(after, PAGE_ROWS);
    if (rows.length === 0) break;
    for (const row of rows) {
      const stored = compactOne(row.record_json);
      if (stored === null || stored.chunks === null) kept++;
      else {
        update.run(stored.json, stored.chunks, row.seq);
        converted++;
      }
    }
    after = (rows[rows.length - 1] as { seq: number }).seq;
  }
  return { converted, kept };
}

function compactOne(text: string): ReturnType<typeof encodeRecord> | null {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return null; // reported as corrupt when read, as it was before
  }
  if (typeof record !== 'object' || record === null || !Array.isArray((record as { chunks?: unknown }).chunks)) return null;
  return encodeRecord(record as RequestRecord);
}
