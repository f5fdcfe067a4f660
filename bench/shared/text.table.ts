/** A table as aligned text: the first row is the header, ruled off from the rest, each column as wide as its widest cell. */
export function renderTable(rows: ReadonlyArray<readonly string[]>): string {
  const [header, ...body] = rows;
  if (!header) return '';
  const widths = header.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...body.map(line)].join('\n');
}
