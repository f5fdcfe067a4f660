import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerIn } from '../src/csv/report-format';
import { DAY, T0, buildReportDataset } from './support/report-dataset';
import { type QueryValues, type ReporterFixture, startReporterFixture } from './support/reporter.fixture';

/** RFC 4180 read independently of the writer: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (character === '"') quoted = false;
      else field += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      record.push(field);
      field = '';
    } else if (character === '\r' && text[index + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      index++;
    } else field += character;
  }
  expect(field, 'the last record ends with CRLF').toBe('');
  expect(record).toEqual([]);
  return records;
}

type Tree = { [name: string]: Tree | Tree[] | string };

/** The JSON answer as the CSV can carry it: leaves as text (null as ''), no absent fields or empty lists. */
function asText(value: unknown): Tree | Tree[] | string | undefined {
  if (value === null) return '';
  if (Array.isArray(value)) return value.length === 0 ? undefined : (value.map(asText) as Tree[]);
  if (typeof value === 'object') {
    const entries = Object.entries(value).flatMap(([name, child]) => {
      const text = asText(child);
      return text === undefined ? [] : [[name, text] as const];
    });
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

/** Rebuilds the answer from the CSV table: `section` is the path, `value` a plain field, other cells an entry. */
function fromTable([header, ...rows]: string[][]): Tree {
  expect(header![0]).toBe('section');
  const tree: Tree = {};
  for (const row of rows) {
    expect(row).toHaveLength(header!.length);
    const path = row[0]!.split('.');
    let node = tree;
    for (const name of path.slice(0, -1)) node = (node[name] ??= {}) as Tree;
    const leaf = path.at(-1)!;
    const cells = Object.fromEntries(header!.map((column, index) => [column, row[index]!]));
    if (cells.value !== '') {
      node[leaf] = cells.value!;
      continue;
    }
    const entry = Object.fromEntries(
      Object.entries(cells).filter(([column, cell]) => column !== 'section' && column !== 'value' && cell !== ''),
    );
    if (Object.keys(entry).length === 0) node[leaf] = '';
    else ((node[leaf] ??= []) as Tree[]).push(entry);
  }
  return tree;
}

const REPORTS: { report: string; query: QueryValues }[] = [
  { report: 'events', query: { from: T0, to: T0 + 2 * DAY, interval: 'hour' } },
  { report: 'events', query: { source: 'tiktok' } },
  { report: 'revenue', query: {} },
  { report: 'revenue', query: { from: T0, source: 'facebook' } },
  { report: 'demographics', query: {} },
  { report: 'demographics', query: { to: T0 + DAY, source: 'tiktok' } },
  { report: 'ingestion', query: { from: T0, to: T0 + 7 * DAY } },
];

describe(answerIn, () => {
  let fixture: ReporterFixture;

  beforeAll(async () => {
    // Every country of the dataset reaches the top lists, "Virgin Islands, U.S." among them.
    fixture = await startReporterFixture(buildReportDataset(), { REPORT_TOP_COUNTRIES: '50', REPORT_TOP_CITIES: '50' });
  });

  afterAll(async () => {
    await fixture?.close();
  });

  describe('when a report is asked for with format=csv', () => {
    it.each(REPORTS)('should answer the $report report of $query as its JSON answer in one table', async (case_) => {
      const path = `/reports/${case_.report}`;
      const json = await fixture.get(path, case_.query);
      const csv = await fixture.get(path, { ...case_.query, format: 'csv' });
      expect(json.status, JSON.stringify(json.body)).toBe(200);
      expect(csv.status, String(csv.body)).toBe(200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const table = parseCsv(csv.body as string);
      expect(fromTable(table)).toEqual(asText(json.body));
    });

    it('should name the attachment after the report and its range', async () => {
      const bounded = await fixture.get('/reports/revenue', {
        from: '2026-03-10T06:30:00Z',
        to: '2026-03-11',
        format: 'csv',
      });
      expect(bounded.headers.get('content-disposition')).toBe(
        'attachment; filename="revenue-20260310T063000Z-20260311T000000Z.csv"',
      );
      const open = await fixture.get('/reports/demographics', { from: '2026-03-10T00:00:00.250Z', format: 'csv' });
      expect(open.headers.get('content-disposition')).toBe(
        'attachment; filename="demographics-20260310T000000.250Z-unbounded.csv"',
      );
    });

    it('should start with the header row of the events breakdown and keep money as exact decimal strings', async () => {
      const events = parseCsv(
        (await fixture.get('/reports/events', { source: 'facebook', format: 'csv' })).body as string,
      );
      expect(events[0]).toEqual(['section', 'value', 'source', 'funnelStage', 'eventType', 'count']);
      const revenue = (await fixture.get('/reports/revenue')).body as { totalRevenue: string };
      expect(revenue.totalRevenue).toMatch(/^\d+\.\d{2}$/);
      const rows = parseCsv((await fixture.get('/reports/revenue', { format: 'csv' })).body as string);
      expect(rows.find((row) => row[0] === 'totalRevenue')?.[1]).toBe(revenue.totalRevenue);
    });

    it('should quote a country whose name holds a comma', async () => {
      const { body } = await fixture.get('/reports/demographics', { source: 'facebook', format: 'csv' });
      const text = body as string;
      expect(text).toMatch(/\r\nfacebook\.topCountries,[^\r\n]*,"Virgin Islands, U\.S\.",/);
      const header = parseCsv(text)[0]!;
      const row = parseCsv(text).find((cells) => cells[header.indexOf('country')] === 'Virgin Islands, U.S.');
      expect(row?.[0]).toBe('facebook.topCountries');
    });
  });

  describe('when format is not json or csv', () => {
    it.each([{ format: 'xml' }, { format: 'CSV' }, { format: ['csv', 'json'] }])(
      'should refuse %j with a 400 naming the parameter',
      async (query) => {
        const { status, body } = await fixture.get('/reports/events', query);
        expect(status).toBe(400);
        const message = Array.isArray(query.format) ? 'must be given once' : 'must be one of json, csv';
        expect(body).toEqual({
          error: 'Bad Request',
          message: `format: ${message}`,
          issues: [{ parameter: 'format', message }],
        });
      },
    );
  });

  describe('when the OpenAPI document is requested', () => {
    it('should declare the format parameter and the text/csv answer on every report', async () => {
      const { body } = await fixture.get('/api/docs-json');
      const paths = (body as { paths: Record<string, { get: OpenApiOperation }> }).paths;
      for (const report of ['events', 'revenue', 'demographics', 'ingestion']) {
        const operation = paths[`/reports/${report}`]!.get;
        expect(operation.parameters.find((parameter) => parameter.name === 'format')?.schema).toMatchObject({
          enum: ['json', 'csv'],
          default: 'json',
        });
        expect(Object.keys(operation.responses['200']!.content)).toEqual(['application/json', 'text/csv']);
        expect(operation.responses['200']!.headers).toHaveProperty('Content-Disposition');
      }
    });
  });
});

interface OpenApiOperation {
  parameters: { name: string; schema: Record<string, unknown> }[];
  responses: Record<string, { content: Record<string, unknown>; headers?: Record<string, unknown> }>;
}
