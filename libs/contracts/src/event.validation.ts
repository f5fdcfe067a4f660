import type { z } from 'zod';
import { type MarketingEvent, marketingEventSchema } from './event.schema';
import { unstorableTextIssues } from './storable-text.check';

/** One problem found in an event: where (dotted path, `''` for the event itself) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export type EventValidationResult =
  { ok: true; event: MarketingEvent } | { ok: false; eventId?: string; issues: ValidationIssue[] };

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** The event id of an input that failed validation, when it has a usable one, so the rejection can name it. */
function eventIdOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const eventId = (input as { eventId?: unknown }).eventId;
  return typeof eventId === 'string' && eventId.length > 0 && eventId.length <= 128 ? eventId : undefined;
}

/**
 * Validates one event against the contract; never throws. A valid event is also one PostgreSQL can store whole:
 * every string of it, fields outside the contract included, is checked as well.
 */
export function validateEvent(input: unknown): EventValidationResult {
  const parsed = marketingEventSchema.safeParse(input);
  const unstorable = unstorableTextIssues(input);
  if (parsed.success && unstorable.length === 0) return { ok: true, event: parsed.data };
  const issues = parsed.success ? unstorable : [...toIssues(parsed.error), ...unstorable];
  return { ok: false, eventId: eventIdOf(input), issues };
}

/** Validates each event of a batch independently: one bad event never affects its neighbours. */
export function validateBatch(inputs: readonly unknown[]): EventValidationResult[] {
  return inputs.map(validateEvent);
}
