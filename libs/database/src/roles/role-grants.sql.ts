/** A double-quoted SQL identifier. */
export const identifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A single-quoted SQL string literal (standard_conforming_strings, the default since PostgreSQL 9.1). */
export const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The relations whose privileges are managed: the schema's tables, views and sequences, not partitions or indexes. */
const MANAGED_RELATION = `c.relkind IN ('r', 'p', 'v', 'm', 'S') AND NOT c.relispartition`;
const KIND = `CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END`;

/**
 * Of the roles `$1`, those that exist (`present`); and whether this session may grant on the owner's tables
 * (`may_grant`): a superuser, or a member of the owner role `$2`.
 */
export const ROLE_STANDING_SQL = `SELECT
  coalesce(array_agg(rolname::text) FILTER (WHERE rolname = ANY($1::text[])), '{}') AS present,
  coalesce(bool_or(rolname = current_user AND rolsuper), false)
    OR coalesce(bool_or(rolname = $2 AND pg_has_role(current_user, oid, 'USAGE')), false) AS may_grant
FROM pg_roles`;

/** The managed relations of the current schema; a sequence with the table it numbers (`owned_by`). */
export const SCHEMA_RELATIONS_SQL = `SELECT c.relname::text AS name, ${KIND} AS kind, t.relname::text AS owned_by
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace AND n.nspname = current_schema()
LEFT JOIN pg_depend AS d ON c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class AS t ON t.oid = d.refobjid
WHERE ${MANAGED_RELATION}`;

/** The privileges the roles `$1` hold on the managed relations of the current schema. */
export const CURRENT_GRANTS_SQL = `SELECT r.rolname::text AS role, c.relname::text AS relation, ${KIND} AS kind,
  a.privilege_type AS privilege
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace AND n.nspname = current_schema()
CROSS JOIN LATERAL aclexplode(c.relacl) AS a
JOIN pg_roles AS r ON r.oid = a.grantee
WHERE ${MANAGED_RELATION} AND r.rolname = ANY($1::text[])`;

/**
 * Relations of the current schema not owned by role `$1`, partitions included (ownership does not follow the parent),
 * indexes and the sequences of a column excepted (they follow their table). Partitioned tables come first: holding
 * the parent's lock before a partition's is the order writers take them in, so moving a live database cannot deadlock.
 */
export const FOREIGN_OWNED_RELATIONS_SQL = `SELECT c.relname::text AS name, c.relkind::text AS relkind
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace AND n.nspname = current_schema()
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
  AND NOT EXISTS (
    SELECT 1 FROM pg_depend AS d
    WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  )
ORDER BY c.relkind <> 'p', c.relname`;
