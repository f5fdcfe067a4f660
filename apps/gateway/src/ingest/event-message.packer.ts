import { createHash } from 'node:crypto';
import { type Lane, type Source } from '@evp/contracts';
import { type ValidEvent } from './event-batch.reader';

/** One message for the events stream: several events of one source. */
export interface PackedMessage {
  /** `[` + the events' original bytes joined by `,` + `]`: a JSON array, never serialised again. */
  data: Buffer;
  /** From the lane, the source and the event ids, in order: the same events packed again give the same id. */
  msgId: string;
  events: number;
}

export interface EventMessagePackerOptions {
  /** Events in one message at most. */
  maxEvents: number;
  /** Bytes of one message's data at most; a single event bigger than this travels alone. */
  maxBytes: number;
}

const OPEN = 0x5b; // [
const COMMA = 0x2c; // ,
const CLOSE = 0x5d; // ]

/**
 * Packs the valid events of one source and lane of one body, in body order, into messages of at most `maxEvents` events and
 * `maxBytes` bytes, handing each full message to `send` as soon as it is complete; `flush()` sends the rest.
 *
 * The packing depends only on the events and the two bounds, so a body sent again gives the same messages with the
 * same ids, and the broker's duplicate window drops them whole.
 */
export class EventMessagePacker {
  private events: ValidEvent[] = [];
  /** Bytes of the pending events' message: brackets, events and the commas between them. */
  private bytes = 2;

  constructor(
    private readonly body: Buffer,
    private readonly source: Source,
    private readonly lane: Lane,
    private readonly options: EventMessagePackerOptions,
    private readonly send: (message: PackedMessage) => void,
  ) {}

  add(event: ValidEvent): void {
    const size = event.end - event.start;
    if (this.events.length > 0 && this.bytes + 1 + size > this.options.maxBytes) this.flush();
    this.bytes += size + (this.events.length > 0 ? 1 : 0);
    this.events.push(event);
    if (this.events.length >= this.options.maxEvents || this.bytes >= this.options.maxBytes) this.flush();
  }

  flush(): void {
    const events = this.events;
    if (events.length === 0) return;
    const data = Buffer.allocUnsafe(this.bytes);
    data[0] = OPEN;
    let offset = 1;
    for (let index = 0; index < events.length; index++) {
      const event = events[index] as ValidEvent;
      if (index > 0) data[offset++] = COMMA;
      offset += this.body.copy(data, offset, event.start, event.end);
    }
    data[offset] = CLOSE;
    this.events = [];
    this.bytes = 2;
    this.send({ data, msgId: messageIdOf(this.lane, this.source, events), events: events.length });
  }
}

/**
 * A digest of the source and the event ids: ids cannot hold a line break (the reader rejects control characters),
 * so the joined text stands for exactly this list. Backfill messages digest `backfill` first, so an id of one lane
 * never makes the broker drop a message of the other; live ids are as they were before lanes existed.
 */
function messageIdOf(lane: Lane, source: Source, events: readonly ValidEvent[]): string {
  const ids = events.map((event) => event.eventId).join('\n');
  const scope = lane === 'live' ? source : `backfill\n${source}`;
  return createHash('sha256').update(`${scope}\n${ids}`).digest('base64url');
}
