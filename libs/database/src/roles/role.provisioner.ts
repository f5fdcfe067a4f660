import { Client } from 'pg';
import { describeDatabase } from '../database.options';
import { DATABASE_ROLES, type DatabaseRole, type RolePasswords } from './database.roles';
import { applyRoleGrants } from './role-grants.reconciler';
import { FOREIGN_OWNED_RELATIONS_SQL, identifier, literal } from './role-grants.sql';
import { RoleProvisioningError } from './role-provisioning.error';
import { isScramSafePassword, scramSha256Verifier } from './scram.verifier';

/** Key of the transaction-level advisory lock that makes one provisioning run at a time ("evpr"). */
const ROLE_PROVISIONING_LOCK = 0x65767072;

/**
 * Every role logs in and inherits nothing it is not granted. SUPERUSER, REPLICATION and BYPASSRLS are absent from new
 * roles and refused on existing ones (see provisionIn): naming them here would need a superuser even to say no.
 */
const ROLE_ATTRIBUTES = 'LOGIN NOCREATEDB NOCREATEROLE INHERIT';

const OWNER_KEYWORDS: Record<string, string> = {
  r: 'TABLE',
  p: 'TABLE',
  v: 'VIEW',
  m: 'MATERIALIZED VIEW',
  S: 'SEQUENCE',
};

/** What one provisioning run changed. */
export interface RoleProvisioningResult {
  /** Roles this run created. */
  created: string[];
  /** Roles whose password this run set. */
  passwordsSet: string[];
  /** Relations handed to the owner role: they were made before it existed (by the superuser, say). */
  ownershipMoved: string[];
  /** GRANT and REVOKE statements run on the tables; none when they were already as declared. */
  grants: string[];
}

/**
 * Creates the pipeline's roles (DATABASE_ROLES), or brings existing ones back to what they should be, and prepares the
 * database of `adminUrl` for them: CONNECT for each, USAGE on the schema, CREATE on both for the owner; every table,
 * view and sequence handed to the owner; default privileges (the reporter reads what the owner creates later); then
 * the grants of TABLE_GRANTS on what exists. Idempotent (CREATE ROLE has no IF NOT EXISTS, so existing roles are
 * looked up first): a second run changes nothing but the passwords it is given. `adminUrl` is a superuser's. One
 * transaction: a failure changes nothing.
 */
export async function provisionRoles(adminUrl: string, passwords: RolePasswords = {}): Promise<RoleProvisioningResult> {
  for (const [role, password] of Object.entries(passwords)) {
    if (password !== undefined && !isScramSafePassword(password)) {
      throw new RoleProvisioningError(
        `the password of the ${role} role must be printable ASCII (percent-encode it in URLs)`,
      );
    }
  }
  const client = new Client({ connectionString: adminUrl, application_name: 'evp-roles' });
  let step = 'connect';
  try {
    await client.connect();
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [ROLE_PROVISIONING_LOCK]);
    const result = await provisionIn(client, passwords, (next) => (step = next));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof RoleProvisioningError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new RoleProvisioningError(
      `cannot provision the roles on ${describeDatabase(adminUrl)} (${step}): ${reason}`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function provisionIn(
  client: Client,
  passwords: RolePasswords,
  stepping: (step: string) => void,
): Promise<RoleProvisioningResult> {
  const result: RoleProvisioningResult = { created: [], passwordsSet: [], ownershipMoved: [], grants: [] };
  const owner = identifier(DATABASE_ROLES.owner);
  const others = [DATABASE_ROLES.collector, DATABASE_ROLES.reporter, DATABASE_ROLES.indexer].map(identifier).join(', ');

  stepping('roles');
  const { rows: existing } = await client.query<{ name: string; privileged: boolean }>(
    `SELECT rolname::text AS name, rolsuper OR rolreplication OR rolbypassrls AS privileged
     FROM pg_roles WHERE rolname = ANY($1::text[])`,
    [Object.values(DATABASE_ROLES)],
  );
  for (const role of Object.keys(DATABASE_ROLES) as DatabaseRole[]) {
    const name = DATABASE_ROLES[role];
    const found = existing.find((row) => row.name === name);
    if (found?.privileged) {
      throw new RoleProvisioningError(
        `role ${name} exists with SUPERUSER, REPLICATION or BYPASSRLS: a service role must not bypass its grants, remove them first`,
      );
    }
    const password = passwords[role];
    const passwordClause = password === undefined ? '' : ` PASSWORD ${literal(scramSha256Verifier(password))}`;
    await client.query(`${found ? 'ALTER' : 'CREATE'} ROLE ${identifier(name)} ${ROLE_ATTRIBUTES}${passwordClause}`);
    if (!found) result.created.push(name);
    if (password !== undefined) result.passwordsSet.push(name);
  }
  // Reports run in read-only transactions already; this covers any statement that would run outside them.
  await client.query(`ALTER ROLE ${identifier(DATABASE_ROLES.reporter)} SET default_transaction_read_only = on`);

  stepping('database and schema');
  const { rows: places } = await client.query<{ database: string; schema: string }>(
    'SELECT current_database()::text AS database, current_schema()::text AS schema',
  );
  const { database, schema } = places[0] ?? { database: '', schema: '' };
  // The first migration opens with CREATE SCHEMA IF NOT EXISTS, which PostgreSQL checks against CREATE on the
  // database even when the schema exists.
  await client.query(`GRANT CONNECT, CREATE ON DATABASE ${identifier(database)} TO ${owner}`);
  await client.query(`GRANT CONNECT ON DATABASE ${identifier(database)} TO ${others}`);
  await client.query(`GRANT USAGE, CREATE ON SCHEMA ${identifier(schema)} TO ${owner}`);
  await client.query(`GRANT USAGE ON SCHEMA ${identifier(schema)} TO ${others}`);

  stepping('ownership');
  const { rows: foreign } = await client.query<{ name: string; relkind: string }>(FOREIGN_OWNED_RELATIONS_SQL, [
    DATABASE_ROLES.owner,
  ]);
  for (const { name, relkind } of foreign) {
    await client.query(`ALTER ${OWNER_KEYWORDS[relkind] ?? 'TABLE'} ${identifier(name)} OWNER TO ${owner}`);
    result.ownershipMoved.push(name);
  }

  stepping('default privileges');
  // Default privileges cannot name tables, so only the reporter's SELECT-everything is one: the writing roles get
  // their grants table by table, after each migration.
  await client.query(
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${identifier(schema)} GRANT SELECT ON TABLES TO ${identifier(DATABASE_ROLES.reporter)}`,
  );

  stepping('grants');
  result.grants = await applyRoleGrants(client);
  return result;
}
