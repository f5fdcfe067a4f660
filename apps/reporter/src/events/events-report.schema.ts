import {
  ALL_EVENT_TYPES,
  type EventType,
  type FunnelStage,
  SOURCES,
  eventTypesOf,
  funnelStageOf,
} from '@evp/contracts';
import { z } from 'zod';
import { formatParameters } from '../csv/report-format';
import { checkRange, funnelStageParameter, rangeParameters, sourceParameter } from '../query/query-parameters';
import {
  countSchema,
  funnelStageSchema,
  isoInstantSchema,
  rangeFiltersSchema,
  sourceSchema,
} from '../query/report-filters.schema';

export const SERIES_INTERVALS = ['minute', 'hour', 'day'] as const;
export type SeriesInterval = (typeof SERIES_INTERVALS)[number];

const eventTypeParameter = z
  .enum(ALL_EVENT_TYPES as [EventType, ...EventType[]], {
    error: (issue) =>
      Array.isArray(issue.input)
        ? 'must be given once'
        : `is not a known event type: one of ${ALL_EVENT_TYPES.join(', ')}`,
  })
  .meta({
    description: 'Only events of this type; it must belong to `source` and `funnelStage` when those are given.',
  });

const intervalParameter = z
  .enum(SERIES_INTERVALS, {
    error: (issue) =>
      Array.isArray(issue.input) ? 'must be given once' : `must be one of ${SERIES_INTERVALS.join(', ')}`,
  })
  .meta({ description: 'Adds `series`: event counts per UTC minute, hour or day.' });

export const eventsQuerySchema = z
  .strictObject({
    ...rangeParameters,
    source: sourceParameter.optional(),
    funnelStage: funnelStageParameter.optional(),
    eventType: eventTypeParameter.optional(),
    interval: intervalParameter.optional(),
    ...formatParameters,
  })
  .superRefine((query, ctx) => {
    checkRange(query, ctx);
    const { source, funnelStage, eventType } = query;
    if (eventType === undefined) return;
    const sources = source === undefined ? SOURCES : [source];
    const stages = sources
      .map((candidate) => funnelStageOf(candidate, eventType))
      .filter((stage): stage is FunnelStage => stage !== undefined);
    if (stages.length === 0 && source !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['eventType'],
        message: `is not a ${source} event type: one of ${eventTypesOf(source).join(', ')}`,
      });
    } else if (funnelStage !== undefined && !stages.includes(funnelStage)) {
      ctx.addIssue({
        code: 'custom',
        path: ['eventType'],
        message: `is not a ${funnelStage}-funnel event type${source ? ` of ${source}` : ''}`,
      });
    }
  });

export type EventsQuery = z.output<typeof eventsQuerySchema>;

export const eventsReportSchema = z.object({
  filters: z.object({
    ...rangeFiltersSchema,
    source: sourceSchema.optional(),
    funnelStage: funnelStageSchema.optional(),
    eventType: z.string().optional(),
    interval: z.enum(SERIES_INTERVALS).optional(),
  }),
  total: countSchema.meta({ description: 'Events matching the filters in the range.' }),
  breakdown: z
    .array(
      z.object({ source: sourceSchema, funnelStage: funnelStageSchema, eventType: z.string(), count: countSchema }),
    )
    .meta({
      description:
        'Counts per source, funnel stage and event type; every type the filters allow is listed, zeros included.',
    }),
  series: z
    .array(z.object({ bucket: isoInstantSchema.meta({ description: 'Start of the UTC bucket.' }), count: countSchema }))
    .optional()
    .meta({
      description:
        'Present when `interval` is given: one entry per bucket from the one holding `from` (or the first stored event) to the one holding the end of the range (or the last stored event), zeros included. Edge buckets count only the part inside the range.',
    }),
});

export type EventsReport = z.output<typeof eventsReportSchema>;
