import type { Pool } from 'pg';

/** Bytes on disk of one table's heap or one of its indexes, summed over its partitions. */
export interface RelationSize {
  /** The table, by its parent's name when partitioned. */
  relation: string;
  /** `heap` (with its TOAST, free space and visibility maps) or the index's name (see RELATION_SIZES_SQL). */
  kind: string;
  bytes: number;
}

/**
 * Every table of the schema but Prisma's migration history, each with its indexes. A partitioned table's leaf
 * partitions are summed under its name, and so are their indexes: under the parent index's name when they are
 * attached to one, else (an index each partition has of its own, like the key of `events`) under the index's name
 * with the partition's replaced by `<table>_*`. Sizes are what the files hold now: space dead rows leave behind, until
 * vacuum reuses it, counts, as it does on a real disk.
 */
const RELATION_SIZES_SQL = `WITH tables AS (
  SELECT c.oid, c.relname, c.relkind FROM pg_class AS c
  WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND c.relname <> '_prisma_migrations'
),
leaves AS (
  SELECT t.relname AS relation, t.oid AS leaf FROM tables AS t WHERE t.relkind = 'r'
  UNION ALL
  SELECT t.relname, p.relid FROM tables AS t CROSS JOIN LATERAL pg_partition_tree(t.oid) AS p
  WHERE t.relkind = 'p' AND p.isleaf
)
SELECT l.relation, 'heap' AS kind, sum(pg_table_size(l.leaf))::bigint AS bytes
FROM leaves AS l
GROUP BY 1
UNION ALL
SELECT l.relation,
  CASE WHEN root.relname IS NOT NULL THEN root.relname
    WHEN leaf.relispartition THEN replace(i.relname, leaf.relname, l.relation || '_*')
    ELSE i.relname END,
  sum(pg_table_size(i.oid))::bigint
FROM leaves AS l
JOIN pg_class AS leaf ON leaf.oid = l.leaf
JOIN pg_index AS x ON x.indrelid = l.leaf
JOIN pg_class AS i ON i.oid = x.indexrelid
LEFT JOIN pg_class AS root ON root.oid = pg_partition_root(i.oid) AND root.oid <> i.oid
GROUP BY 1, 2`;

export async function readRelationSizes(pool: Pool): Promise<RelationSize[]> {
  const { rows } = await pool.query<{ relation: string; kind: string; bytes: string }>(RELATION_SIZES_SQL);
  return rows.map((row) => ({ relation: row.relation, kind: row.kind, bytes: Number(row.bytes) }));
}
