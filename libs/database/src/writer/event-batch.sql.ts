import { rollupCtes } from '../rollups/rollup.sql';
import { EVENT_ROW_COLUMNS } from './event-batch.payload';

const columnList = EVENT_ROW_COLUMNS.map(({ column }) => column).join(', ');
const extractions = EVENT_ROW_COLUMNS.map(({ column, type }, index) =>
  type === 'jsonb'
    ? `e->${index} AS ${column}`
    : type === 'text'
      ? `e->>${index} AS ${column}`
      : `(e->>${index})::${type} AS ${column}`,
).join(',\n    ');

/**
 * Stores a batch and updates the rollups in ONE statement (so one implicit transaction), with one parameter:
 * the JSON text from `serializeEventRows`. Only rows actually inserted reach the rollups (RETURNING), so
 * duplicates, within the batch or already stored, count nowhere; the same rows' ids are queued for the
 * demographics read model (one queue row per batch, see demographics.sql.ts). Rows are inserted in event-id order so that
 * two writers with overlapping batches take the unique-index locks in the same order instead of deadlocking.
 * PostgreSQL runs every data-modifying CTE to completion even though the final SELECT reads only one.
 */
export const WRITE_EVENT_BATCH_SQL = `WITH batch AS (
  SELECT
    ${extractions}
  FROM jsonb_array_elements($1::jsonb) AS e
),
inserted AS (
  INSERT INTO events (${columnList})
  SELECT ${columnList} FROM batch
  ORDER BY event_id
  ON CONFLICT (event_id) DO NOTHING
  RETURNING event_id, occurred_at, source, funnel_stage, event_type, campaign_id, purchase_amount
),
${rollupCtes('inserted')},
queued_for_demographics AS (
  INSERT INTO demographic_pending (event_ids) SELECT array_agg(event_id) FROM inserted HAVING count(*) > 0
)
SELECT count(*)::int AS inserted FROM inserted`;
