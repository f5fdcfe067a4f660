import { DEMOGRAPHIC_TABLES } from '../demographics/demographics.sql';
import { ROLLUP_UNITS } from '../rollups/rollup.sql';
import { DATABASE_ROLES } from './database.roles';
import { identifier } from './role-grants.sql';

/** The roles whose grants are declared table by table; the reporter reads every table and view instead. */
export type WritingRole = 'collector' | 'indexer';

/** Privileges on a table or view, named as `aclexplode` names them. */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'REFERENCES' | 'TRIGGER';

export type TableGrants = Readonly<Partial<Record<WritingRole, readonly TablePrivilege[]>>>;

const ROLLUP_TABLES = ROLLUP_UNITS.flatMap((unit) => [`event_counts_${unit}`, `revenue_${unit}`]);
const READ_MODEL_TABLES = DEMOGRAPHIC_TABLES.filter((table) => table !== 'demographic_pending');

/**
 * What the collectors and the demographics indexer may do, per relation of the schema. Every relation is listed, with
 * an empty entry when only the owner writes it, so that a new table is a decision rather than an oversight (a unit
 * test compares this list with schema.prisma). Partitions need nothing: PostgreSQL checks privileges on the table a
 * statement names, and the services only name the partitioned tables.
 */
export const TABLE_GRANTS: Readonly<Record<string, TableGrants>> = {
  // SELECT: the batch statement returns the rows it inserted (RETURNING) and a query classifies the skipped ones; the
  // indexer reads the queued events.
  events: { collector: ['SELECT', 'INSERT'], indexer: ['SELECT'] },
  // Upserts that add to the row they find (ON CONFLICT DO UPDATE reads it).
  ...Object.fromEntries(
    ROLLUP_TABLES.map((table): [string, TableGrants] => [table, { collector: ['SELECT', 'INSERT', 'UPDATE'] }]),
  ),
  // The collectors fold the gateway's ingestion records: upserts that add to the row they find, and the ids folded,
  // inserted in the same statement (RETURNING reads them); storage maintenance drops old ids as the owner.
  ingestion_counts_minute: { collector: ['SELECT', 'INSERT', 'UPDATE'] },
  ingestion_records_seen: { collector: ['SELECT', 'INSERT'] },
  // The writer queues the events it inserted; the indexer takes batches off the queue.
  demographic_pending: { collector: ['INSERT'], indexer: ['SELECT', 'DELETE'] },
  // Links and counters are upserts. Emptying the model (`DemographicsIndexer.rebuild`, TRUNCATE) is the seeder's, run
  // as the owner.
  ...Object.fromEntries(
    READ_MODEL_TABLES.map((table): [string, TableGrants] => [table, { indexer: ['SELECT', 'INSERT', 'UPDATE'] }]),
  ),
  // Raised by retention, which runs as the owner; the indexer leaves out a first event that moves into a partition
  // retention dropped.
  storage_horizons: { indexer: ['SELECT'] },
  events_as_received: {},
  _prisma_migrations: {},
};

/** A relation of the schema as the catalog describes it; partitions are left out. */
export interface SchemaRelation {
  name: string;
  kind: 'table' | 'view' | 'sequence';
  /** For a sequence, the table whose column it numbers (serial or identity); null for a free-standing one. */
  owned_by: string | null;
}

/** One privilege of one role on one relation. */
export interface RoleGrant {
  role: string;
  relation: string;
  kind: SchemaRelation['kind'];
  privilege: string;
}

const WRITING_ROLES: readonly WritingRole[] = ['collector', 'indexer'];

/**
 * The grants the declaration asks for, for the roles of `present` (those that exist in the cluster): the reporter
 * SELECTs every table and view, the others have their TABLE_GRANTS, and USAGE on the sequence of a table they
 * INSERT into (a serial's `nextval`).
 */
export function declaredGrants(relations: readonly SchemaRelation[], present: ReadonlySet<string>): RoleGrant[] {
  const grants: RoleGrant[] = [];
  const add = (role: string, relation: SchemaRelation, privilege: string) => {
    if (present.has(role)) grants.push({ role, relation: relation.name, kind: relation.kind, privilege });
  };
  for (const relation of relations) {
    if (relation.kind === 'sequence') {
      const table = relation.owned_by === null ? undefined : TABLE_GRANTS[relation.owned_by];
      for (const role of WRITING_ROLES) {
        if (table?.[role]?.includes('INSERT')) add(DATABASE_ROLES[role], relation, 'USAGE');
      }
      continue;
    }
    add(DATABASE_ROLES.reporter, relation, 'SELECT');
    for (const role of WRITING_ROLES) {
      for (const privilege of TABLE_GRANTS[relation.name]?.[role] ?? []) add(DATABASE_ROLES[role], relation, privilege);
    }
  }
  return grants;
}

/**
 * The GRANT and REVOKE statements that turn `current` into `declared`: missing privileges granted, any other revoked,
 * so a privilege dropped from the declaration (or granted by hand) does not linger. Deterministic order, one statement
 * per role and relation.
 */
export function grantStatements(current: readonly RoleGrant[], declared: readonly RoleGrant[]): string[] {
  const key = (grant: RoleGrant) => `${grant.role}\0${grant.relation}\0${grant.privilege}`;
  const held = new Set(current.map(key));
  const wanted = new Set(declared.map(key));
  return [
    ...statementsOf(
      'GRANT',
      declared.filter((grant) => !held.has(key(grant))),
    ),
    ...statementsOf(
      'REVOKE',
      current.filter((grant) => !wanted.has(key(grant))),
    ),
  ];
}

function statementsOf(action: 'GRANT' | 'REVOKE', grants: readonly RoleGrant[]): string[] {
  const groups = new Map<string, { grant: RoleGrant; privileges: Set<string> }>();
  for (const grant of grants) {
    const group = groups.get(`${grant.relation}\0${grant.role}`) ?? { grant, privileges: new Set<string>() };
    group.privileges.add(grant.privilege);
    groups.set(`${grant.relation}\0${grant.role}`, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { grant, privileges }]) => {
      const object = `${grant.kind === 'sequence' ? 'SEQUENCE' : 'TABLE'} ${identifier(grant.relation)}`;
      const list = [...privileges].sort().join(', ');
      return `${action} ${list} ON ${object} ${action === 'GRANT' ? 'TO' : 'FROM'} ${identifier(grant.role)}`;
    });
}
