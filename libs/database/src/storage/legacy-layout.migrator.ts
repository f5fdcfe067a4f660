import { CONTRACT_FIELDS, type FieldTree, FUNNEL_STAGES, SOURCES } from '@evp/contracts';
import type { Pool } from 'pg';
import { QUEUED_EVENT_COLUMNS, queueEventsSql } from '../demographics/demographics.sql';
import { EVENT_ROW_COLUMNS } from '../writer/event-batch.payload';
import { PartitionManager } from './partition.manager';
import type { PartitionInterval } from './partition.sql';

/** Key of the session advisory lock under which one instance at a time moves legacy rows ("evpl"). */
const LEGACY_MOVE_LOCK = 0x6576706c;

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The fields of JSON `json` outside `fields`, at their paths, or NULL when there are none: the SQL twin of
 * `extraFieldsOf`, for rows stored with their whole raw event.
 */
function extraSql(json: string, fields: FieldTree): string {
  const known = Object.keys(fields);
  const nested = Object.entries(fields)
    .filter((entry): entry is [string, FieldTree] => entry[1] !== true)
    .map(([field, tree]) => {
      const inner = extraSql(`(${json} -> ${literal(field)})`, tree);
      return ` || CASE WHEN ${inner} IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(${literal(field)}, ${inner}) END`;
    })
    .join('');
  return `nullif((${json} - ARRAY[${known.map(literal).join(', ')}]::text[])${nested}, '{}'::jsonb)`;
}

const EXTRA_OF_LEGACY_RAW = `CASE ${SOURCES.flatMap((source) =>
  FUNNEL_STAGES.map(
    (stage) =>
      `WHEN source = ${literal(source)} AND funnel_stage = ${literal(stage)} THEN ${extraSql('raw', CONTRACT_FIELDS[source][stage])}`,
  ),
).join(' ')} END`;

/** The SQL twins of `eventKeyOf` and `userKeyOf`: whether a legacy id is canonical, and its key. */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const CANONICAL_EVENT_ID = `event_id ~ ('^' || CASE source WHEN 'facebook' THEN 'fb' ELSE 'ttk' END || '-${UUID}$')`;
const CANONICAL_USER_ID = `user_id ~ '^${UUID}$'`;

const LEGACY_VALUES: Record<string, string> = {
  event_id: `CASE WHEN ${CANONICAL_EVENT_ID} THEN substr(event_id, strpos(event_id, '-') + 1)::uuid ELSE md5(event_id)::uuid END`,
  event_id_text: `CASE WHEN ${CANONICAL_EVENT_ID} THEN NULL ELSE event_id END`,
  user_id: `CASE WHEN ${CANONICAL_USER_ID} THEN user_id::uuid ELSE md5(user_id)::uuid END`,
  user_id_text: `CASE WHEN ${CANONICAL_USER_ID} THEN NULL ELSE user_id END`,
  extra: EXTRA_OF_LEGACY_RAW,
  // The legacy layout never recorded it.
  received_at: 'NULL::timestamptz',
};
const columns = [...EVENT_ROW_COLUMNS.map(({ column }) => column), 'stored_at'];

/**
 * Moves the legacy rows older than `$1` into the partitioned layout, and queues them for the demographics read model
 * (rebuilt by the indexer), in one statement: a row is in one table or the other, whenever the move stops.
 */
const MOVE_LEGACY_EVENTS_SQL = `WITH moved AS (
  DELETE FROM events_legacy WHERE occurred_at < $1 RETURNING *
),
inserted AS (
  INSERT INTO events (${columns.join(', ')})
  SELECT ${columns.map((column) => LEGACY_VALUES[column] ?? column).join(', ')} FROM moved
  ORDER BY 1
  ON CONFLICT DO NOTHING
  RETURNING ${QUEUED_EVENT_COLUMNS}
),
queued AS (
  ${queueEventsSql('inserted')}
)
SELECT count(*)::int AS moved FROM inserted`;

/**
 * Moves the events of the layout before migration 20261205130000 (table `events_legacy`, raw events as JSONB, text
 * ids) into the partitioned tables, a partition's range at a time, then drops the legacy table. Resumable: an
 * interrupted move goes on at the next start; instances starting together take turns.
 */
export async function moveLegacyEvents(pool: Pool, interval: PartitionInterval): Promise<number> {
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [LEGACY_MOVE_LOCK]);
    return await moveAll(pool, interval);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [LEGACY_MOVE_LOCK]).catch(() => undefined);
    lock.release();
  }
}

async function moveAll(pool: Pool, interval: PartitionInterval): Promise<number> {
  const exists = await pool.query<{ found: boolean }>(`SELECT to_regclass('events_legacy') IS NOT NULL AS found`);
  if (!exists.rows[0]?.found) return 0;
  const partitions = new PartitionManager(pool, { interval, ahead: 1, retentionDays: 0 });
  let moved = 0;
  for (;;) {
    const { rows } = await pool.query<{ first: string | null }>(
      `SELECT to_char(min(occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS first FROM events_legacy`,
    );
    const first = rows[0]?.first;
    if (!first) break;
    const [range] = await partitions.ensureFor([first]);
    const result = await pool.query<{ moved: number }>(MOVE_LEGACY_EVENTS_SQL, [range?.to]);
    moved += result.rows[0]?.moved ?? 0;
  }
  await pool.query('DROP TABLE IF EXISTS events_legacy');
  return moved;
}
