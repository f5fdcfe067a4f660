import type { ClientBase } from 'pg';
import { DATABASE_ROLES } from './database.roles';
import { declaredGrants, grantStatements, type RoleGrant, type SchemaRelation } from './role.grants';
import { CURRENT_GRANTS_SQL, ROLE_STANDING_SQL, SCHEMA_RELATIONS_SQL } from './role-grants.sql';

/** Key of the transaction-level advisory lock under which one session at a time changes the grants ("evpg"). */
export const ROLE_GRANTS_LOCK = 0x65767067;

const GRANTEES = [DATABASE_ROLES.collector, DATABASE_ROLES.reporter, DATABASE_ROLES.indexer];

/**
 * Brings the privileges of the collector, reporter and indexer roles on the current schema to TABLE_GRANTS, and
 * returns the GRANT and REVOKE statements it ran (none when they were right). Run after every migration, so a table a
 * migration adds gets its grants in the same deployment, and by `provisionRoles`. Does nothing where the roles do not
 * exist (a development database used as the superuser) or where this session may not grant (neither a superuser
 * nor the owner: a reporter started with MIGRATE_ON_START). Runs in the caller's transaction, whose end releases the
 * lock that keeps instances starting together from updating the same catalog rows at once.
 */
export async function applyRoleGrants(client: ClientBase): Promise<string[]> {
  const { rows: standings } = await client.query<{ present: string[]; may_grant: boolean }>(ROLE_STANDING_SQL, [
    GRANTEES,
    DATABASE_ROLES.owner,
  ]);
  const standing = standings[0];
  if (!standing || standing.present.length === 0 || !standing.may_grant) return [];
  await client.query('SELECT pg_advisory_xact_lock($1)', [ROLE_GRANTS_LOCK]);
  const { rows: relations } = await client.query<SchemaRelation>(SCHEMA_RELATIONS_SQL);
  const { rows: current } = await client.query<RoleGrant>(CURRENT_GRANTS_SQL, [standing.present]);
  const statements = grantStatements(current, declaredGrants(relations, new Set(standing.present)));
  for (const statement of statements) await client.query(statement);
  return statements;
}
