import { z } from 'zod';

export const badRequestSchema = z.object({
  error: z.literal('Bad Request'),
  message: z.string().meta({ description: 'Every problem in one line: "parameter: message; …".' }),
  issues: z
    .array(
      z.object({ parameter: z.string().meta({ description: 'The query parameter at fault.' }), message: z.string() }),
    )
    .min(1),
});

export const unavailableSchema = z.object({
  error: z.literal('Service Unavailable'),
  message: z.string().meta({
    description:
      'Why, and when to retry: the report ran past its deadline (REPORT_STATEMENT_TIMEOUT_MS), every place for a report was taken (REPORT_MAX_CONCURRENT, REPORT_MAX_QUEUED), or the database is unreachable.',
  }),
});

export const unauthorizedSchema = z.object({
  statusCode: z.literal(401),
  error: z.literal('Unauthorized'),
  message: z
    .string()
    .meta({ description: 'What is missing or wrong: no Authorization header, not the Bearer scheme, an unknown key.' }),
});
