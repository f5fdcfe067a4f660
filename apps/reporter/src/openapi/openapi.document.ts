import { type OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { demographicsQuerySchema, demographicsReportSchema } from '../demographics/demographics-report.schema';
import { eventsQuerySchema, eventsReportSchema } from '../events/events-report.schema';
import { ingestionQuerySchema, ingestionReportSchema } from '../ingestion/ingestion-report.schema';
import { revenueQuerySchema, revenueReportSchema } from '../revenue/revenue-report.schema';
import { badRequestSchema, unauthorizedSchema, unavailableSchema } from './error-responses.schema';

/** Version of the reports contract (paths, parameters, field names): bumped when a client would notice. */
export const REPORTS_API_VERSION = '1.3.0';

/** Name of the bearer security scheme in `components.securitySchemes`. */
export const API_KEY_SCHEME = 'apiKey';

type JsonSchema = Record<string, unknown>;
type ParameterObject = { name: string; in: 'query'; required: boolean; description?: string; schema: JsonSchema };

interface ReportOperation {
  path: string;
  summary: string;
  description: string;
  query: z.ZodObject;
  response: z.ZodType;
  responseName: string;
}

const REPORTS: ReportOperation[] = [
  {
    path: '/reports/events',
    summary: 'Event counts by source, funnel stage and event type',
    description:
      'Counts of the events whose own timestamp lies in [from, to), with a breakdown and, with `interval`, a time series. Exact for any instants: whole hours and minutes come from the rollups, the sub-minute edges from the events.',
    query: eventsQuerySchema,
    response: eventsReportSchema,
    responseName: 'EventsReport',
  },
  {
    path: '/reports/revenue',
    summary: 'Revenue of transactional events',
    description:
      'Revenue of Facebook checkout.complete and TikTok purchase events with an amount, in [from, to): total, per source and top Facebook campaigns. Money is an exact decimal string with two places.',
    query: revenueQuerySchema,
    response: revenueReportSchema,
    responseName: 'RevenueReport',
  },
  {
    path: '/reports/demographics',
    summary: 'Demographics of the users with events in the range',
    description:
      'Distinct users with events in [from, to), each counted once with the attributes of their earliest event in the range. With `source`, only that source’s object is present.',
    query: demographicsQuerySchema,
    response: demographicsReportSchema,
    responseName: 'DemographicsReport',
  },
  {
    path: '/reports/ingestion',
    summary: 'What became of what senders sent',
    description:
      'Events accepted, stored and dead-lettered by reason, and requests throttled, over [from, to). Accepted, dead-lettered and throttled count in the UTC minutes the gateway received the requests (a minute counts when its start lies in the range), exactly once each, from a per-minute rollup of the gateway’s records; stored counts events by their own timestamp, as `/reports/events` does.',
    query: ingestionQuerySchema,
    response: ingestionReportSchema,
    responseName: 'IngestionReport',
  },
];

const toJsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', io });

/** The query parameters of a report, from the same Zod schema that validates them. */
function queryParameters(query: z.ZodObject): ParameterObject[] {
  const schema = toJsonSchema(query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property as JsonSchema & { description?: string };
    return { name, in: 'query', required: schema.required?.includes(name) ?? false, description, schema: rest };
  });
}

const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });

const CONTENT_DISPOSITION = {
  'Content-Disposition': {
    description:
      'With `format=csv` only: `attachment; filename="<report>-<from>-<to>.csv"`, instants in ISO-8601 basic format (`20260131T120000Z`), `unbounded` for an open side.',
    schema: { type: 'string' },
  },
};
const CSV_TABLE = {
  schema: {
    type: 'string',
    description:
      'RFC 4180 (CRLF line ends, fields with a comma, quote or line break quoted). Header row `section,value,…`: `section` is the dotted path of a field of the JSON answer (`total`, `facebook.genders`); a plain value is one row with `value`; each list entry is one row with a column per field. An empty cell is a null or a field the row does not have. Money stays an exact decimal string, instants UTC ISO-8601.',
  },
  example:
    'section,value,source,funnelStage,eventType,count\r\nfilters.from,2026-01-01T00:00:00.000Z,,,,\r\ntotal,40,,,,\r\nbreakdown,,facebook,top,ad.view,40\r\n',
};
const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } },
};
const WWW_AUTHENTICATE = {
  'WWW-Authenticate': {
    description: '`Bearer`, with `error="invalid_token"` when a key was sent but refused (RFC 6750).',
    schema: { type: 'string' },
  },
};

/**
 * The reporter's OpenAPI 3 document, generated from the Zod schemas that validate the requests and describe
 * the answers, so the documentation cannot drift from the behaviour.
 */
export function buildOpenApiDocument(): OpenAPIObject {
  const schemas: Record<string, JsonSchema> = {
    BadRequest: toJsonSchema(badRequestSchema, 'output'),
    ServiceUnavailable: toJsonSchema(unavailableSchema, 'output'),
    Unauthorized: toJsonSchema(unauthorizedSchema, 'output'),
  };
  const paths: OpenAPIObject['paths'] = {};
  for (const report of REPORTS) {
    schemas[report.responseName] = toJsonSchema(report.response, 'output');
    paths[report.path] = {
      get: {
        summary: report.summary,
        description: report.description,
        tags: ['reports'],
        parameters: queryParameters(report.query),
        security: [{ [API_KEY_SCHEME]: [] }],
        responses: {
          '200': {
            description: 'The report: JSON, or with `format=csv` the same report as one CSV table.',
            headers: CONTENT_DISPOSITION,
            content: { ...json(report.responseName), 'text/csv': CSV_TABLE },
          },
          '400': {
            description: 'A query parameter is unknown, repeated or invalid; each one is named in `issues`.',
            content: json('BadRequest'),
          },
          '401': {
            description: 'No API key, or not one of the reporter’s keys (when the reporter is configured with keys).',
            headers: WWW_AUTHENTICATE,
            content: json('Unauthorized'),
          },
          '503': {
            description:
              'The report cannot be computed now (deadline passed, too many reports at once, database unreachable); retry after Retry-After seconds.',
            headers: RETRY_AFTER,
            content: json('ServiceUnavailable'),
          },
        },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Marketing event reports',
      version: REPORTS_API_VERSION,
      description:
        'Reports over the stored marketing events. Every range is [from, to) on the event’s own timestamp; every parameter is optional and validated; unknown or repeated parameters are refused with 400.',
    },
    tags: [{ name: 'reports' }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        [API_KEY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'One of the reporter’s API keys (REPORTER_API_KEYS), sent as `Authorization: Bearer <key>`. Required wherever the reporter is configured with keys (staging, production); a development reporter without keys ignores it.',
        },
      },
    },
  };
}
