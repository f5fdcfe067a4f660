import type { z } from 'zod';
import { type MarketingEvent, marketingEventSchema } from './event.schema';

/** One problem found in an event: where (dotted path, `''` for the event itself) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export type EventValidationResult =
  | { ok: true; event: MarketingEvent }
  | { ok: false; eventId?: string; issues: ValidationIssue[] };

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** The event id of an input that failed validation, when it has a usable one, so the rejection can name it. */
function eventIdOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const eventId = (input as { eventId?: unknown }).eventId;
  return typeof eventId === 'string' && eventId.length > 0 && eventId.length <= 128 ? eventId : undefined;
}

/** Validates one event against the contract; never throws. */
export function validateEvent(input: unknown): EventValidationResult {
  const parsed = marketingEventSchema.safeParse(input);
  if (parsed.success) return { ok: true, event: parsed.data };
  return { ok: false, eventId: eventIdOf(input), issues: toIssues(parsed.error) };
}

/** Validates each event of a batch independently: one bad event never affects its neighbours. */
export function validateBatch(inputs: readonly unknown[]): EventValidationResult[] {
  return inputs.map(validateEvent);
}
