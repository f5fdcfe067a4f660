import type { MarketingEvent, Source } from '@evp/contracts';
import type { EventRow } from '@evp/database';

/** The validated events of one source. */
export type SourceEvent<S extends Source> = Extract<MarketingEvent, { source: S }>;

/** What a normaliser gets besides the typed event. */
export interface NormaliseContext {
  /** The event's fields outside the contract as JSON text (`extraFieldsOf`), null when it has none. */
  extra: string | null;
  /** From the message's correlation id header, when it has one. */
  correlationId: string | null;
}

/**
 * Maps a validated event of one source to the typed columns of table `events`. Throws `UnstorableEventError`
 * for an event the table cannot hold; any other throw is treated the same way (the message is dead-lettered,
 * to be replayed once the normaliser is fixed).
 */
export type EventNormaliser<S extends Source> = (event: SourceEvent<S>, context: NormaliseContext) => EventRow;

/** A source and its normaliser, paired so the type system checks that they belong together. */
export type SourceNormaliser = { [S in Source]: { source: S; normaliser: EventNormaliser<S> } }[Source];
