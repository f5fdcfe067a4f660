import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line written inside a unit of work should carry. */
export interface CorrelationScope {
  correlationId: string;
  /** Set while work concerns one event, so its log lines name it. */
  eventId?: string;
}

const storage = new AsyncLocalStorage<CorrelationScope>();

/**
 * Runs `work` inside a correlation scope. HTTP requests get one per request; message handlers one per
 * message or per group of messages sharing a correlation id (the HTTP request context does not reach them).
 */
export function runWithCorrelation<T>(scope: CorrelationScope, work: () => T): T {
  return storage.run(scope, work);
}

export function currentCorrelation(): CorrelationScope | undefined {
  return storage.getStore();
}

export function newCorrelationId(): string {
  return randomUUID();
}

const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller-supplied id is reused only when it is a sane token; anything else gets a fresh id. */
export function correlationIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && CORRELATION_ID_PATTERN.test(value) ? value : newCorrelationId();
}
