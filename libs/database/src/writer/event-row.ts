import type { FunnelStage, Source } from '@evp/contracts';
import type { DecimalAmount } from './decimal-amount';

/**
 * One normalised event, ready for `EventBatchWriter.write`: the typed columns of table `events` plus the raw
 * event. Columns that do not apply to the event's source or funnel stage are left out (or null).
 */
export interface EventRow {
  eventId: string;
  /** The event's own `timestamp`, as the ISO-8601 text it arrived with (PostgreSQL parses it; no Date per row). */
  occurredAt: string;
  source: Source;
  funnelStage: FunnelStage;
  eventType: string;
  userId: string;
  /** Facebook `name` or TikTok `username`. */
  userName?: string | null;
  age?: number | null;
  gender?: string | null;
  /** Facebook `user.location.country`; TikTok top-funnel `engagement.country`. */
  country?: string | null;
  city?: string | null;
  /** Must fit a 32-bit integer column. */
  followers?: number | null;
  campaignId?: string | null;
  adId?: string | null;
  /** Facebook bottom-funnel or TikTok top-funnel device. */
  device?: string | null;
  browser?: string | null;
  referrer?: string | null;
  clickPosition?: string | null;
  videoId?: string | null;
  watchTime?: number | null;
  percentageWatched?: number | null;
  profileId?: string | null;
  purchasedItem?: string | null;
  /** From `toDecimalAmount`: exact, never a float. */
  purchaseAmount?: DecimalAmount | null;
  /** ISO-8601 text, like `occurredAt`. */
  actionTime?: string | null;
  correlationId?: string | null;
  /** When the gateway received the event, as ISO-8601 text; absent for events that came another way. */
  receivedAt?: string | null;
  /**
   * The event's fields outside the contract (`extraFieldsOf`), as a JSON object's text, embedded verbatim in the
   * batch parameter; absent when there are none. With the typed columns it gives back the event as received.
   */
  extra?: string | null;
}

export interface EventBatchWriteResult {
  /** Rows stored by this call. */
  inserted: number;
  /** Rows skipped because the same event (id and timestamp) was already stored, or repeated earlier in the batch. */
  duplicates: number;
  /**
   * Positions (in the rows given) of events not stored because their id is already stored with another timestamp in
   * the same partition: a re-sent id must not count twice under two times (see the database README).
   */
  conflicting: number[];
}
