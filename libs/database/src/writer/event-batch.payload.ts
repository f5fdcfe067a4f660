import { eventKeyOf, userKeyOf } from '../storage/event-key';
import type { EventRow } from './event-row';

/**
 * Columns of table `events` in the order `serializeEventRows` writes them; `extra` (last) is spliced in as JSON.
 * The SQL that reads the payload is generated from this list, so the two cannot drift apart.
 */
export const EVENT_ROW_COLUMNS = [
  { column: 'event_id', type: 'uuid' },
  { column: 'event_id_text', type: 'text' },
  { column: 'occurred_at', type: 'timestamptz' },
  { column: 'source', type: 'text' },
  { column: 'funnel_stage', type: 'text' },
  { column: 'event_type', type: 'text' },
  { column: 'user_id', type: 'uuid' },
  { column: 'user_id_text', type: 'text' },
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
  { column: 'received_at', type: 'timestamptz' },
  { column: 'extra', type: 'jsonb' },
] as const;

/**
 * The batch as one JSON text: an array of rows, each an array of column values in `EVENT_ROW_COLUMNS` order.
 * Positional arrays keep the parameter small (no repeated keys); ids travel as their uuid keys; `extra`, already
 * JSON text, is spliced in as it is. Absent optional columns become JSON null.
 */
export function serializeEventRows(rows: readonly EventRow[]): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as EventRow;
    const event = eventKeyOf(row.eventId, row.source);
    const user = userKeyOf(row.userId);
    const columns = JSON.stringify([
      event.key,
      event.text,
      row.occurredAt,
      row.source,
      row.funnelStage,
      row.eventType,
      user.key,
      user.text,
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
      row.receivedAt,
    ]);
    parts[i] = `${columns.slice(0, -1)},${row.extra ?? 'null'}]`;
  }
  return `[${parts.join(',')}]`;
}
