import { z } from 'zod';
import { formatParameters } from '../csv/report-format';
import { checkRange, rangeParameters, sourceParameter } from '../query/query-parameters';
import { countSchema, rangeFiltersSchema, sourceSchema } from '../query/report-filters.schema';

export const ingestionQuerySchema = z
  .strictObject({ ...rangeParameters, source: sourceParameter.optional(), ...formatParameters })
  .superRefine((query, ctx) => checkRange(query, ctx));

export type IngestionQuery = z.output<typeof ingestionQuerySchema>;

export const ingestionReportSchema = z.object({
  filters: z.object({ ...rangeFiltersSchema, source: sourceSchema.optional() }),
  accepted: countSchema.meta({
    description:
      'Events the gateway took in (acknowledged by the broker, answered 2xx) in the minutes of the range; events it already had (a re-sent body) are not counted again.',
  }),
  stored: countSchema.meta({
    description:
      'Events stored whose own timestamp lies in [from, to), as `GET /reports/events` counts them (an event is stored shortly after it is accepted, in the minute of its own timestamp).',
  }),
  deadLettered: z
    .object({
      total: countSchema,
      byReason: z.array(z.object({ reason: z.string(), count: countSchema })).meta({
        description:
          'Per reason: `invalid` and `future_timestamp` (refused by the gateway, always listed), `unstorable` and `max_deliveries` (dead-lettered by a collector, listed when any).',
      }),
    })
    .meta({
      description: 'Events dead-lettered, by the gateway or a collector, received in the minutes of the range.',
    }),
  throttled: z
    .object({
      requests: countSchema.meta({
        description:
          'Requests answered 429 in the minutes of the range. Their bodies are not read, so they count in requests, not events, and for every source whatever `source` says.',
      }),
    })
    .meta({ description: 'Requests refused for being over their sender’s quota.' }),
});

export type IngestionReport = z.output<typeof ingestionReportSchema>;
