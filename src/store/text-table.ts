/**
 * Renders rows as a plain-text table: columns padded to their widest cell, two spaces apart,
 * numeric columns right-aligned.
 * @example textTable(['ID', 'N'], [['abc', '3']], { right: [1] })
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], options: { right?: readonly number[] } = {}): string {
  const right = new Set(options.right ?? []);
  const widths = header.map((title, col) => Math.max(title.length, ...rows.map((row) => (row[col] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    widths
      .map((width, col) => {
        const cell = cells[col] ?? '';
        return right.has(col) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `key  value` lines with the keys padded to one width. */
export function keyValueLines(pairs: readonly (readonly [string, string])[], indent = ''): string {
  const width = Math.max(0, ...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${indent}${key.padEnd(width)}  ${value}`.trimEnd()).join('\n');
}
