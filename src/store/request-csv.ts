/** Raw per-request CSV: recorded fields only, nothing derived beyond first/last chunk times and counts. */
import type { RequestRecord } from '../measure/record.js';

export const REQUEST_CSV_COLUMNS = [
  'index',
  'warmup',
  'ok',
  'error_class',
  'http_status',
  'finish_reason',
  't_sched',
  't_send',
  't_headers',
  't_first_chunk',
  't_last_chunk',
  't_end',
  'chunks',
  'input_tokens',
  'output_tokens',
  'input_tokens_source',
  'output_tokens_source',
  'error_message',
] as const;

/** RFC 4180 quoting: only when the field holds a comma, quote, CR or LF. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (without the line break) for a record, in REQUEST_CSV_COLUMNS order. */
export function requestCsvRow(record: RequestRecord): string {
  const first = record.chunks[0];
  const last = record.chunks[record.chunks.length - 1];
  const fields = [
    record.index,
    record.warmup,
    record.ok,
    record.error?.class ?? null,
    record.http_status,
    record.finish_reason,
    record.t_sched,
    record.t_send,
    record.t_headers,
    first?.t ?? null,
    last?.t ?? null,
    record.t_end,
    record.chunks.length,
    record.input_tokens,
    record.output_tokens,
    record.input_tokens_source,
    record.output_tokens_source,
    record.error?.message ?? null,
  ];
  return fields.map(csvField).join(',');
}

/**
 * The whole CSV document (header plus one line per record, CRLF-free, trailing newline).
 * @example requestsCsv(store.iterateRequests(id))
 */
export function requestsCsv(records: Iterable<RequestRecord>): string {
  const lines = [REQUEST_CSV_COLUMNS.join(',')];
  for (const record of records) lines.push(requestCsvRow(record));
  return `${lines.join('\n')}\n`;
}
