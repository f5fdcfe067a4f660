/** How a column's cells line up: figures read best right-aligned, so their digits stack. */
export type ColumnAlignment = 'left' | 'right';

export interface TableOptions {
  /** Per column, by position; columns not named are left-aligned. */
  align?: readonly ColumnAlignment[];
  /** Put before every line, e.g. two spaces to nest the table under a heading. */
  indent?: string;
}

/** A table as aligned text: the first row is the header, ruled off from the rest, each column as wide as its widest cell. */
export function renderTable(rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): string {
  const [header, ...body] = rows;
  if (!header) return '';
  const widths = header.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const pad = (cell: string, column: number) =>
    options.align?.[column] === 'right' ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0);
  const line = (row: readonly string[]) => row.map(pad).join(' | ');
  const lines = [line(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...body.map(line)];
  return lines.map((text) => `${options.indent ?? ''}${text}`).join('\n');
}
