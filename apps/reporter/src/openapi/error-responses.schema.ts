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
  message: z
    .string()
    .meta({ description: 'The database is unreachable, or the report ran past REPORT_STATEMENT_TIMEOUT_MS.' }),
});
