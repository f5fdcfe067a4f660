import { runWithCorrelation } from '@evp/observability';
import type { ConsumedMessage } from './jetstream.types';

/**
 * Runs `work` in the correlation scope of one message (its correlation id, its message id as the event id), so
 * log lines written inside name both. Without a correlation id there is no scope to bind and `work` just runs.
 */
export function withMessageCorrelation<T>(message: ConsumedMessage, work: () => T): T {
  if (message.correlationId === undefined) return work();
  return runWithCorrelation({ correlationId: message.correlationId, eventId: message.msgId }, work);
}

/**
 * Splits a batch into groups sharing a correlation id (first-seen order) and runs `work` for each group, one after
 * another, inside that id's scope. Handlers use it when they log or store per request that produced the messages.
 */
export async function forEachCorrelation<T>(
  messages: readonly ConsumedMessage[],
  work: (group: readonly ConsumedMessage[], correlationId: string | undefined) => Promise<T>,
): Promise<T[]> {
  const groups = new Map<string | undefined, ConsumedMessage[]>();
  for (const message of messages) {
    const group = groups.get(message.correlationId);
    if (group === undefined) groups.set(message.correlationId, [message]);
    else group.push(message);
  }
  const results: T[] = [];
  for (const [correlationId, group] of groups) {
    results.push(
      correlationId === undefined
        ? await work(group, undefined)
        : await runWithCorrelation({ correlationId }, () => work(group, correlationId)),
    );
  }
  return results;
}

/** The batch's correlation id when every message shares one, so the handler's own log lines carry it. */
export function sharedCorrelationId(messages: readonly ConsumedMessage[]): string | undefined {
  const first = messages[0]?.correlationId;
  if (first === undefined) return undefined;
  for (const message of messages) if (message.correlationId !== first) return undefined;
  return first;
}
