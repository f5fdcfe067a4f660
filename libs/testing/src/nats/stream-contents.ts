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
