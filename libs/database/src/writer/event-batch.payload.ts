import type { EventRow } from './event-row';

/**
 * Columns of table `events` in the order `serializeEventRows` writes them; position 0 is the raw event.
 * The SQL that reads the payload is generated from this list, so the two cannot drift apart.
 */
export const EVENT_ROW_COLUMNS = [
  { column: 'raw', type: 'jsonb' },
  { column: 'event_id', type: 'text' },
  { column: 'occurred_at', type: 'timestamptz' },
  { column: 'source', type: 'text' },
  { column: 'funnel_stage', type: 'text' },
  { column: 'event_type', type: 'text' },
  { column: 'user_id', type: 'text' },
  { column: 'user_name', type: 'text' },
  { column: 'age', type: 'int' },
  { column: 'gender', type: 'text' },
  { column: 'country', type: 'text' },
  { column: 'city', type: 'text' },
  { column: 'followers', type: 'int' },
  { column: 'campaign_id', type: 'text' },
  { column: 'ad_id', type: 'text' },
  { column: 'device', type: 'text' },
  { column: 'browser', type: 'text' },
  { column: 'referrer', type: 'text' },
  { column: 'click_position', type: 'text' },
  { column: 'video_id', type: 'text' },
  { column: 'watch_time', type: 'float8' },
  { column: 'percentage_watched', type: 'float8' },
  { column: 'profile_id', type: 'text' },
  { column: 'purchased_item', type: 'text' },
  { column: 'purchase_amount', type: 'numeric' },
  { column: 'action_time', type: 'timestamptz' },
  { column: 'correlation_id', type: 'text' },
] as const;

/**
 * The batch as one JSON text: an array of rows, each an array of column values in `EVENT_ROW_COLUMNS` order.
 * Positional arrays keep the parameter small (no repeated keys), and the raw event is spliced in as the text
 * it already is instead of being parsed and serialised again. Absent optional columns become JSON null.
 */
export function serializeEventRows(rows: readonly EventRow[]): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as EventRow;
    const columns = JSON.stringify([
      row.eventId,
      row.occurredAt,
      row.source,
      row.funnelStage,
      row.eventType,
      row.userId,
      row.userName,
      row.age,
      row.gender,
      row.country,
      row.city,
      row.followers,
      row.campaignId,
      row.adId,
      row.device,
      row.browser,
      row.referrer,
      row.clickPosition,
      row.videoId,
      row.watchTime,
      row.percentageWatched,
      row.profileId,
      row.purchasedItem,
      row.purchaseAmount,
      row.actionTime,
      row.correlationId,
    ]);
    parts[i] = `[${row.raw},${columns.slice(1)}`;
  }
  return `[${parts.join(',')}]`;
}
