import { type CsvCell } from './csv.writer';

/** A report flattened to one table: `header` names the columns, each row has a cell per column. */
export interface ReportTable {
  header: string[];
  rows: CsvCell[][];
}

type Record_ = Record<string, CsvCell>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function cellOf(section: string, value: unknown): CsvCell {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as CsvCell;
  throw new TypeError(`${section}: a list entry holds a nested value, which a flat table cannot show`);
}

/**
 * Flattens a report answer into one table, so that every answer, nested or not, opens in a spreadsheet the
 * same way. `section` is the dotted path of a field in the JSON answer (`total`, `facebook.genders`): a plain
 * value becomes one row with its `value`, each entry of a list one row with a column per field of the entry.
 * Columns appear in the order the answer first uses them; fields the answer leaves out have no row.
 */
export function reportTable(answer: object): ReportTable {
  const records: Record_[] = [];
  const walk = (section: string, value: unknown): void => {
    if (value === undefined) return;
    if (Array.isArray(value)) {
      for (const entry of value as unknown[]) {
        if (!isObject(entry)) throw new TypeError(`${section}: a list entry is not an object`);
        records.push({
          section,
          ...Object.fromEntries(Object.entries(entry).map(([name, cell]) => [name, cellOf(section, cell)])),
        });
      }
    } else if (isObject(value)) {
      for (const [name, child] of Object.entries(value)) walk(section === '' ? name : `${section}.${name}`, child);
    } else {
      records.push({ section, value: cellOf(section, value) });
    }
  };
  walk('', answer);
  const header = [...new Set(['section', ...records.flatMap((record) => Object.keys(record))])];
  return { header, rows: records.map((record) => header.map((column) => record[column] ?? null)) };
}
