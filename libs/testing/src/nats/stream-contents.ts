import { EVENT_COUNT_HEADER } from '@evp/contracts';
import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';

/** Messages a stream holds now (a work queue drops acked and terminated ones). */
export async function streamMessageCount(jsm: JetStreamManager, stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).state.messages;
}

/** Every message of a (small) stream, oldest first; one deleted while it is read is left out. */
export async function readStream(jsm: JetStreamManager, stream: string): Promise<StoredMsg[]> {
  const info = await jsm.streams.info(stream);
  const messages: StoredMsg[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (message) messages.push(message);
  }
  return messages;
}

/**
 * Events the messages of an events stream carry: each message's event count header, or one for a message without it
 * (a single event object, the format before events were packed). Reads every message, one at a time.
 */
export async function streamEventCount(jsm: JetStreamManager, stream: string): Promise<number> {
  const info = await jsm.streams.info(stream);
  let events = 0;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (message) events += eventsIn([message]);
  }
  return events;
}

/** Events carried by `messages` of the events stream, as `streamEventCount` counts them. */
export function eventsIn(messages: readonly StoredMsg[]): number {
  return messages.reduce((sum, message) => sum + Number(message.header.get(EVENT_COUNT_HEADER) || 1), 0);
}
