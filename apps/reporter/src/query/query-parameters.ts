import { FUNNEL_STAGES, SOURCES } from '@evp/contracts';
import { z } from 'zod';
import { parseIsoInstant } from './iso-instant.parser';
import { InvalidReportQueryError, type ParameterIssue } from './report-query.error';

/*
 * Query parameters arrive as strings, or as arrays when a name is repeated (`?source=a&source=b`): each
 * parameter accepts exactly one string, so a repeated one is refused instead of silently picking a value.
 */

const notRepeated = (expected: string) => (issue: { input?: unknown }) =>
  Array.isArray(issue.input) ? 'must be given once' : `must be ${expected}`;

/** An ISO-8601 instant, parsed to epoch milliseconds. */
export const instantParameter = (description: string) =>
  z
    .string({ error: notRepeated('an ISO-8601 instant') })
    .meta({ format: 'date-time', description, example: '2026-01-31T12:00:00Z' })
    .transform((text, ctx) => {
      const parsed = parseIsoInstant(text);
      if (parsed.ok) return parsed.epochMs;
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    });

export const sourceParameter = z.enum(SOURCES, { error: notRepeated(`one of ${SOURCES.join(', ')}`) }).meta({
  description: 'Only events of this source.',
});

export const funnelStageParameter = z
  .enum(FUNNEL_STAGES, { error: notRepeated(`one of ${FUNNEL_STAGES.join(', ')}`) })
  .meta({
    description: 'Only events of this funnel stage.',
  });

const hasControlCharacter = (value: string) =>
  [...value].some((character) => character < ' ' || character === '\u007f');

/** Free text bounded like the contract's ids; always sent to PostgreSQL as a bound parameter. */
export const identifierParameter = (description: string, example: string) =>
  z
    .string({ error: notRepeated('a string') })
    .min(1, 'must not be empty')
    .max(128, 'must be at most 128 characters')
    // PostgreSQL text cannot hold NUL; refusing control characters keeps such input a 400 instead of a failed query.
    .refine((value) => !hasControlCharacter(value), 'must not contain control characters')
    .meta({ description, example });

export const FROM_DESCRIPTION =
  'Start of the range, inclusive, on the event timestamp (ISO-8601; a bare date is midnight UTC). Default: unbounded.';
export const TO_DESCRIPTION =
  'End of the range, exclusive, on the event timestamp (ISO-8601; a bare date is midnight UTC). Default: unbounded.';

/** The range parameters every report takes, and the check that `from` comes before `to`. */
export const rangeParameters = {
  from: instantParameter(FROM_DESCRIPTION).optional(),
  to: instantParameter(TO_DESCRIPTION).optional(),
};

export function checkRange(range: { from?: number; to?: number }, ctx: z.RefinementCtx): void {
  if (range.from !== undefined && range.to !== undefined && range.from >= range.to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be earlier than to' });
  }
}

/** Validates a raw query object with a report's schema, or throws the 400 naming every bad parameter. */
export function parseReportQuery<Schema extends z.ZodObject>(schema: Schema, query: unknown): z.output<Schema> {
  const parsed = schema.safeParse({ ...(query as object) });
  if (parsed.success) return parsed.data;
  const known = Object.keys(schema.shape).join(', ');
  throw new InvalidReportQueryError(parsed.error.issues.flatMap((issue) => toParameterIssues(issue, known)));
}

function toParameterIssues(issue: z.core.$ZodIssue, known: string): ParameterIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      parameter: key,
      message: `is not a parameter of this report (known: ${known})`,
    }));
  }
  return [{ parameter: issue.path.map(String).join('.') || '(query)', message: issue.message }];
}
