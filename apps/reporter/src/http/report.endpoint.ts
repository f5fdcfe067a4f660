import { type z } from 'zod';
import { type ReportFormat, type ReportReply, answerIn, type formatParameters } from '../csv/report-format';
import { type ReportMetrics, type ReportName } from '../metrics/report.metrics';
import { parseReportQuery } from '../query/query-parameters';

/** A report query schema: any parameters, `format` among them. */
type ReportQuerySchema = z.ZodObject<typeof formatParameters & z.core.$ZodShape>;

interface ReportEndpoint<Schema extends ReportQuerySchema, Answer> {
  report: ReportName;
  schema: Schema;
  generate(query: z.output<Schema>): Promise<Answer>;
}

/**
 * What every report endpoint does: validate the query, generate the report under its metrics, and answer it in
 * the requested format.
 */
export function serveReport<
  Schema extends ReportQuerySchema,
  Answer extends { filters: { from?: string; to?: string } },
>(
  metrics: ReportMetrics,
  endpoint: ReportEndpoint<Schema, Answer>,
  query: unknown,
  reply: ReportReply,
): Promise<Answer | string> {
  return metrics.measure(endpoint.report, async () => {
    const parsed = parseReportQuery(endpoint.schema, query);
    // The constraint on Schema guarantees `format`; TypeScript cannot see through z.output of a generic shape.
    const { format } = parsed as { format: ReportFormat };
    return answerIn(format, endpoint.report, await endpoint.generate(parsed), reply);
  });
}
