/** The tables partitioned by the event's time; each range exists in both or neither (see PartitionManager). */
export const PARTITIONED_TABLES = ['events', 'demographic_events'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

/** Length of one partition: a UTC day, ISO week (from Monday) or calendar month. */
export const PARTITION_INTERVALS = ['day', 'week', 'month'] as const;
export type PartitionInterval = (typeof PARTITION_INTERVALS)[number];

/** One range of a partition: `[from, to)`, instants as ISO-8601 text in UTC. */
export interface PartitionRange {
  /** `d20261205`, `w20261207`, `m20261201`: the interval's letter, so ranges of another interval never share a name. */
  suffix: string;
  from: string;
  to: string;
}

/**
 * The ranges holding the instants `$2` (ISO-8601 texts) for interval `$1`. Computed in UTC whatever the session's
 * time zone: `date_trunc` of a timestamp without zone, then the interval added there.
 */
export const RANGES_OF_INSTANTS_SQL = `SELECT DISTINCT
  left($1, 1) || to_char(start, 'YYYYMMDD') AS suffix,
  to_char(start, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "from",
  to_char(start + ('1 ' || $1)::interval, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "to"
FROM (SELECT date_trunc($1, t::timestamptz AT TIME ZONE 'UTC') AS start FROM unnest($2::text[]) AS t) AS starts`;

/** The ranges from `$2` intervals before the current one to `$3` after it, for interval `$1`. */
export const RANGES_AROUND_NOW_SQL = `SELECT
  left($1, 1) || to_char(start, 'YYYYMMDD') AS suffix,
  to_char(start, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "from",
  to_char(start + ('1 ' || $1)::interval, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "to"
FROM generate_series(-$2::int, $3::int) AS step,
  LATERAL (SELECT date_trunc($1, now() AT TIME ZONE 'UTC') + step * ('1 ' || $1)::interval AS start) AS starts`;

/**
 * The partitions of table `$1` with their upper bound, and whether a concurrent detach of them was interrupted
 * (`detaching`: it must be finalised before anything else).
 */
export const PARTITIONS_OF_SQL = `SELECT c.relname AS name, i.inhdetachpending AS detaching,
  (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS upper
FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
WHERE i.inhparent = $1::regclass`;

/**
 * Tables named like partitions of `$1` that are no longer attached: left by a retention run stopped between its
 * detach and its drop.
 */
export const DETACHED_PARTITIONS_SQL = `SELECT c.relname AS name FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace AND n.nspname = current_schema()
WHERE c.relkind = 'r' AND c.relname ~ ('^' || $1 || '_[dwm][0-9]{8}$')
  AND NOT EXISTS (SELECT 1 FROM pg_inherits AS i WHERE i.inhrelid = c.oid)`;

/** Raises the horizon below which retention dropped rows of table `$1` to `$2` (never lowers it). */
export const RAISE_HORIZON_SQL = `INSERT INTO storage_horizons (relation, dropped_before) VALUES ($1, $2)
ON CONFLICT (relation) DO UPDATE SET dropped_before = greatest(storage_horizons.dropped_before, EXCLUDED.dropped_before)`;

const identifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Insert-only partitions are vacuumed after every 2% of new rows, not 20%: index-only scans (the demographics
 * ranges) need the visibility map kept current.
 */
const PARTITION_STORAGE = 'autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_vacuum_insert_threshold = 100000';

export const partitionName = (table: PartitionedTable, range: PartitionRange) => `${table}_${range.suffix}`;

/**
 * The key of a partition of `events`: unique `event_id` within the partition. A partitioned table's own unique
 * indexes must include the partition key, and `(event_id, occurred_at)` would let an id be stored twice in one day
 * under two timestamps; per partition, `event_id` alone rules that out for the same cost (see WRITE_EVENT_BATCH_SQL).
 */
export const eventKeyIndexSql = (partition: string) =>
  `CREATE UNIQUE INDEX IF NOT EXISTS ${identifier(`${partition}_event_id_key`)} ON ${identifier(partition)} (event_id)`;

/**
 * A partition with everything it needs, as ONE simple-protocol query (one implicit transaction): no writer can see a
 * partition of `events` before its key exists.
 */
export const createPartitionSql = (table: PartitionedTable, range: PartitionRange) => {
  const name = partitionName(table, range);
  const create = `CREATE TABLE IF NOT EXISTS ${identifier(name)} PARTITION OF ${identifier(table)}
  FOR VALUES FROM (${literal(range.from)}) TO (${literal(range.to)}) WITH (${PARTITION_STORAGE})`;
  return table === 'events' ? `${create};\n${eventKeyIndexSql(name)}` : create;
};

/** Partitions of `events` without their key: made before the keys were per partition (migration 20261205200000). */
export const EVENT_PARTITIONS_WITHOUT_KEY_SQL = `SELECT c.relname AS name
FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
WHERE i.inhparent = 'events'::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_index AS x WHERE x.indrelid = c.oid AND x.indisunique)`;

/** Detaching concurrently takes no lock that blocks writers or readers of the table (PostgreSQL 14+). */
export const detachPartitionSql = (table: PartitionedTable, partition: string) =>
  `ALTER TABLE ${identifier(table)} DETACH PARTITION ${identifier(partition)} CONCURRENTLY`;

export const finalizeDetachSql = (table: PartitionedTable, partition: string) =>
  `ALTER TABLE ${identifier(table)} DETACH PARTITION ${identifier(partition)} FINALIZE`;

export const dropTableSql = (name: string) => `DROP TABLE IF EXISTS ${identifier(name)}`;
