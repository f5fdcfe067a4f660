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
 * Stores a batch and updates the rollups in ONE statement (so one implicit transaction). Parameters: `$1` the JSON
 * text from `serializeEventRows`, `$2` the partition interval (`day`, `week`, `month`).
 *
 * The same event is the same id and timestamp: `ON CONFLICT (event_id, occurred_at) DO NOTHING`, so redeliveries and
 * re-sends store nothing twice. An id already stored with ANOTHER timestamp in the same partition is not stored
 * (`conflicting`, returned as positions in the batch for the caller to dead-letter): one probe of the key index of that
 * one partition, which the insert is about to touch anyway. Across partitions there is no index to ask (a global one
 * would grow for ever and cost every insert a random page), see the database README.
 *
 * Only rows actually inserted reach the rollups (RETURNING), and the same rows are queued for the demographics read
 * model (one queue row per batch, see demographics.sql.ts). Rows are inserted in key order so that two writers with
 * overlapping batches take the key locks in the same order instead of deadlocking. PostgreSQL runs every
 * data-modifying CTE to completion even though the final SELECT reads only some.
 */
export const WRITE_EVENT_BATCH_SQL = `WITH batch AS (
  SELECT
    (r.position - 1)::int AS position,
    ${extractions}
  FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(e, position)
),
conflicting AS (
  SELECT b.position FROM batch AS b
  CROSS JOIN LATERAL (
    SELECT 1 FROM events AS s
    WHERE s.event_id = b.event_id AND s.occurred_at <> b.occurred_at
      AND s.occurred_at >= date_trunc($2, b.occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
      AND s.occurred_at < (date_trunc($2, b.occurred_at AT TIME ZONE 'UTC') + ('1 ' || $2)::interval) AT TIME ZONE 'UTC'
    LIMIT 1
  ) AS stored
),
inserted AS (
  INSERT INTO events (${columnList})
  SELECT ${columnList} FROM batch AS b
  WHERE NOT EXISTS (SELECT 1 FROM conflicting AS c WHERE c.position = b.position)
  ORDER BY event_id, occurred_at
  ON CONFLICT (event_id, occurred_at) DO NOTHING
  RETURNING event_id, occurred_at, source, funnel_stage, event_type, campaign_id, purchase_amount
),
${rollupCtes('inserted')},
queued_for_demographics AS (
  INSERT INTO demographic_pending (event_ids, occurred_ats)
  SELECT array_agg(event_id), array_agg(occurred_at) FROM inserted HAVING count(*) > 0
)
SELECT (SELECT count(*) FROM inserted)::int AS inserted,
  coalesce((SELECT array_agg(position ORDER BY position) FROM conflicting), '{}') AS conflicting`;
