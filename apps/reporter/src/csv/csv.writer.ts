/** One CSV cell; `null` is written as an empty cell. */
export type CsvCell = string | number | boolean | null;

const NEEDS_QUOTES = /[",\r\n]/;

/** A field as RFC 4180 wants it: quoted when it holds a comma, a quote or a line break, quotes doubled. */
function field(cell: CsvCell): string {
  const text = cell === null ? '' : String(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** An RFC 4180 document: the header row, then one record per row, every line ended by CRLF. */
export function writeCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return [header, ...rows].map((row) => `${row.map(field).join(',')}\r\n`).join('');
}
