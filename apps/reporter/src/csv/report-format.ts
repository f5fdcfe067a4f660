import { z } from 'zod';
import { writeCsv } from './csv.writer';
import { reportTable } from './report.table';

export const REPORT_FORMATS = ['json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The `format` parameter every report takes, spread into its query schema. */
export const formatParameters = {
  format: z
    .enum(REPORT_FORMATS, {
      error: (issue) =>
        Array.isArray(issue.input) ? 'must be given once' : `must be one of ${REPORT_FORMATS.join(', ')}`,
    })
    .default('json')
    .meta({
      description:
        '`csv` answers the same report as one RFC 4180 table (text/csv, as an attachment): a `section` column holds the dotted path of each field of the JSON answer, a plain value fills `value`, each list entry is a row with a column per field.',
    }),
};

/** The part of a reply a report needs to set; kept structural so the reporter does not import fastify. */
export interface ReportReply {
  header(name: string, value: string): unknown;
}

/** `2026-01-31T12:00:00.000Z` as `20260131T120000Z`: ISO-8601 basic format, safe in a file name. */
function fileInstant(iso: string | undefined): string {
  return iso === undefined ? 'unbounded' : iso.replaceAll(/[-:]/g, '').replace(/\.000Z$/, 'Z');
}

/**
 * The answer in the requested format: the report itself for JSON, or its CSV table with the headers that make
 * a browser save it as `<report>-<from>-<to>.csv` (`unbounded` for an open side of the range).
 */
export function answerIn<Answer extends { filters: { from?: string; to?: string } }>(
  format: ReportFormat,
  report: string,
  answer: Answer,
  reply: ReportReply,
): Answer | string {
  if (format === 'json') return answer;
  const { header, rows } = reportTable(answer);
  const filename = `${report}-${fileInstant(answer.filters.from)}-${fileInstant(answer.filters.to)}.csv`;
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${filename}"`);
  return writeCsv(header, rows);
}
