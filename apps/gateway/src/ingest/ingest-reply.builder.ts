import { type ValidationIssue } from '@evp/contracts';
import { UnsupportedBodyError } from './event-batch.errors';
import { type InvalidEvent } from './event-batch.reader';
import { EventSinkUnavailableError } from './event.sink';
import { JsonSyntaxError } from './json/json-syntax.error';

/** One rejected event as reported to the sender. */
export interface EventErrorReport {
  /** Position of the event in the request's array. */
  index: number;
  eventId?: string;
  issues: ValidationIssue[];
}

/** The body of every webhook answer that concerns the events of the request (2xx and 400). */
export interface IngestReplyBody {
  /** Valid events acknowledged by JetStream, duplicates included. */
  accepted: number;
  /** Invalid events (all of them, even beyond the errors listed). */
  rejected: number;
  /** Accepted events JetStream recognised as already received within its duplicate window. */
  duplicates: number;
  correlationId: string;
  errors: EventErrorReport[];
  /** Present when more events were rejected than are listed in `errors`. */
  errorsTruncated?: true;
  /** Stable code, on 400 answers only. */
  error?: string;
  message?: string;
  /** Byte offset of a JSON syntax error in the body. */
  position?: number;
}

/** An answer with no per-event content: 503 and similar. */
export interface ErrorReplyBody {
  error: string;
  message: string;
  correlationId: string;
}

export interface WebhookReply {
  statusCode: number;
  headers: Record<string, string>;
  body: IngestReplyBody | ErrorReplyBody;
}

/** What the ingest of one request came to, before it is put into HTTP terms. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  invalid: readonly InvalidEvent[];
}

export interface IngestReplyOptions {
  /** Per-event errors listed in a reply. @default 100 */
  maxReportedErrors?: number;
  /** `Retry-After` on 503 answers, in seconds. @default 5 */
  retryAfterSeconds?: number;
}

/** Puts ingest results and failures into the webhook's HTTP answers, one place for every status and shape. */
export class IngestReplyBuilder {
  private readonly maxReportedErrors: number;
  private readonly retryAfterSeconds: number;

  constructor(options: IngestReplyOptions = {}) {
    this.maxReportedErrors = options.maxReportedErrors ?? 100;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }

  /**
   * 202 when at least one event was accepted or the body held none at all (an empty array);
   * 400 when every event of a non-empty body was invalid.
   */
  result(result: IngestResult, correlationId: string): WebhookReply {
    const body: IngestReplyBody = {
      accepted: result.accepted,
      rejected: result.invalid.length,
      duplicates: result.duplicates,
      correlationId,
      errors: result.invalid.slice(0, this.maxReportedErrors).map(toErrorReport),
    };
    if (result.invalid.length > this.maxReportedErrors) body.errorsTruncated = true;
    if (result.accepted === 0 && result.invalid.length > 0) {
      return {
        statusCode: 400,
        headers: {},
        body: {
          ...body,
          error: 'GATEWAY.NO_VALID_EVENT',
          message: `none of the ${result.invalid.length} events is valid; they were dead-lettered`,
        },
      };
    }
    return { statusCode: 202, headers: {}, body };
  }

  /** The answer for a failure of the whole request; anything not a known failure is rethrown. */
  failure(error: unknown, correlationId: string): WebhookReply {
    if (error instanceof JsonSyntaxError || error instanceof UnsupportedBodyError) {
      const body: IngestReplyBody = {
        accepted: 0,
        rejected: 0,
        duplicates: 0,
        correlationId,
        errors: [],
        error: error.code,
        message: error.message,
      };
      if (error instanceof JsonSyntaxError) body.position = error.position;
      return { statusCode: 400, headers: {}, body };
    }
    if (error instanceof EventSinkUnavailableError) {
      return this.unavailable(
        error.code,
        `events were not stored, send them again later: ${error.message}`,
        correlationId,
      );
    }
    throw error;
  }

  /** New webhook requests while the gateway is shutting down. */
  shuttingDown(correlationId: string): WebhookReply {
    return this.unavailable(
      'GATEWAY.SHUTTING_DOWN',
      'the gateway is shutting down; send the events again later',
      correlationId,
    );
  }

  private unavailable(error: string, message: string, correlationId: string): WebhookReply {
    return {
      statusCode: 503,
      headers: { 'retry-after': String(this.retryAfterSeconds) },
      body: { error, message, correlationId },
    };
  }
}

function toErrorReport(event: InvalidEvent): EventErrorReport {
  return event.eventId === undefined
    ? { index: event.index, issues: event.issues }
    : { index: event.index, eventId: event.eventId, issues: event.issues };
}
