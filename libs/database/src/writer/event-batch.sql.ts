import { QUEUED_EVENT_COLUMNS, queueEventsSql } from '../demographics/demographics.sql';
import { rollupCtes } from '../rollups/rollup.sql';
import { EVENT_ROW_COLUMNS } from './event-batch.payload';

const columnList = EVENT_ROW_COLUMNS.map(({ column }) => column).join(', ');
const extractions = EVENT_ROW_COLUMNS.map(({ column, type }, index) =>
  type === 'jsonb'
    ? `nullif(e->${index}, 'null'::jsonb) AS ${column}`
    : type === 'text'
      ? `e->>${index} AS ${column}`
      : `(e->>${index})::${type} AS ${column}`,
).join(',\n    ');

/**
 * Stores a batch and updates the rollups in ONE statement (so one implicit transaction). Parameter `$1`: the JSON text
 * from `serializeEventRows`.
 *
 * Each partition of `events` has a unique index on `event_id` alone (PartitionManager creates it with the partition),
 * so `ON CONFLICT DO NOTHING` skips both the same event stored again (same id and timestamp: a redelivery or re-send)
 * and an id already stored with ANOTHER timestamp in the same partition, for the price of the key probe the insert
 * makes anyway. The rows it skipped come back as `skipped` (positions in the batch, ids and timestamps), for
 * `CLASSIFY_SKIPPED_EVENTS_SQL` to tell the two apart: nearly always there are none, and the common batch pays for no
 * probe of its own.
 *
 * Only rows actually inserted reach the rollups (RETURNING), and the same rows are queued for the demographics read
 * model with what it needs of them (one queue row per batch, see demographics.sql.ts). Rows are inserted in key order so that two writers with
 * overlapping batches take the key locks in the same order instead of deadlocking. PostgreSQL runs every
 * data-modifying CTE to completion even though the final SELECT reads only some.
 */
export const WRITE_EVENT_BATCH_SQL = `WITH batch AS (
  SELECT
    (r.position - 1)::int AS position,
    ${extractions}
  FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(e, position)
),
inserted AS (
  INSERT INTO events (${columnList})
  SELECT ${columnList} FROM batch
  ORDER BY event_id, occurred_at
  ON CONFLICT DO NOTHING
  RETURNING ${QUEUED_EVENT_COLUMNS}, event_type, campaign_id, purchase_amount
),
skipped AS (
  SELECT b.position, b.event_id, b.occurred_at FROM batch AS b
  WHERE NOT EXISTS (SELECT 1 FROM inserted AS i WHERE i.event_id = b.event_id AND i.occurred_at = b.occurred_at)
),
${rollupCtes('inserted')},
queued_for_demographics AS (
  ${queueEventsSql('inserted')}
)
SELECT (SELECT count(*) FROM inserted)::int AS inserted,
  coalesce(array_agg(position ORDER BY position), '{}') AS skipped_positions,
  coalesce(array_agg(event_id ORDER BY position), '{}') AS skipped_event_ids,
  coalesce(array_agg(occurred_at ORDER BY position), '{}') AS skipped_occurred_ats
FROM skipped`;

/**
 * Which of the rows the batch statement skipped are NOT stored under their own timestamp: their id is stored with
 * another one. Parameters: positions, event keys and timestamps of the skipped rows; returns those positions. A
 * statement of its own, run after the batch committed, so it sees a row a concurrent writer committed while the batch
 * waited on its key (the batch statement's snapshot predates it): such a row makes the event a duplicate, not a
 * conflict.
 */
export const CLASSIFY_SKIPPED_EVENTS_SQL = `SELECT coalesce(array_agg(s.position ORDER BY s.position), '{}') AS conflicting
FROM unnest($1::int[], $2::uuid[], $3::timestamptz[]) AS s(position, event_id, occurred_at)
WHERE NOT EXISTS (SELECT 1 FROM events AS e WHERE e.event_id = s.event_id AND e.occurred_at = s.occurred_at)`;
