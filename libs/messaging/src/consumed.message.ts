import { CORRELATION_ID_HEADER } from '@evp/contracts';
import type { JsMsg } from '@nats-io/jetstream';
import type { ConsumedMessage } from './jetstream.types';
import { headersToRecord } from './message.headers';
import { MSG_ID_HEADER } from './messaging.constants';

/** The handler's view of a JetStream message: payload, ids, headers and delivery facts; no ack methods. */
export function toConsumedMessage(message: JsMsg): ConsumedMessage {
  const headers = headersToRecord(message.headers);
  const info = message.info;
  return {
    subject: message.subject,
    data: message.data,
    msgId: headers[MSG_ID_HEADER],
    correlationId: headers[CORRELATION_ID_HEADER],
    headers,
    deliveryCount: info.deliveryCount,
    streamSequence: info.streamSequence,
  };
}
