import { type ValidationIssue } from '@evp/contracts';
import { type Throttle } from '../quota/sender.quotas';
import { TooManyEventsError, UnsupportedBodyError } from './event-batch.errors';
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
  /** Invalid events of the body, all of them. */
  rejected: number;
  /** Invalid events sent to the dead-letter stream: at most MAX_INVALID_EVENTS_DEAD_LETTERED, the first ones. */
  deadLettered: number;
  /** The first invalid events, as many as are reported or dead-lettered. */
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
      rejected: result.rejected,
      duplicates: result.duplicates,
      correlationId,
      errors: result.invalid.slice(0, this.maxReportedErrors).map(toErrorReport),
    };
    if (result.rejected > body.errors.length) body.errorsTruncated = true;
    if (result.accepted === 0 && result.rejected > 0) {
      return {
        statusCode: 400,
        headers: {},
        body: {
          ...body,
          error: 'GATEWAY.NO_VALID_EVENT',
          message:
            result.deadLettered === result.rejected
              ? `none of the ${result.rejected} events is valid; they were dead-lettered`
              : `none of the ${result.rejected} events is valid; the first ${result.deadLettered} were dead-lettered with a count of the others`,
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
    if (error instanceof TooManyEventsError) {
      return { statusCode: 413, headers: {}, body: { error: error.code, message: error.message, correlationId } };
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

  /** Webhook requests whose body would take the bytes in flight over MAX_IN_FLIGHT_BYTES. */
  overCapacity(correlationId: string): WebhookReply {
    return this.unavailable(
      'GATEWAY.OVER_CAPACITY',
      'the gateway is holding as many request bytes as it may; send the events again later',
      correlationId,
    );
  }

  /**
   * A sender over its quota: 429 with `Retry-After` and the IETF draft's `RateLimit-Limit`, `RateLimit-Remaining`
   * and `RateLimit-Reset` (draft-ietf-httpapi-ratelimit-headers), in events and seconds.
   */
  throttled(throttle: Throttle, correlationId: string): WebhookReply {
    const retryAfter = String(throttle.retryAfterSeconds);
    return {
      statusCode: 429,
      headers: {
        'retry-after': retryAfter,
        'ratelimit-limit': String(throttle.limit),
        'ratelimit-remaining': String(throttle.remaining),
        'ratelimit-reset': retryAfter,
      },
      body: {
        error: 'GATEWAY.RATE_LIMITED',
        message: `sender ${throttle.sender} is over its quota of events a second (at most ${throttle.limit} at once); nothing was published, send the events again in ${retryAfter} s`,
        correlationId,
      },
    };
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
