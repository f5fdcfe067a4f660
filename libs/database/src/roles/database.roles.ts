/**
 * The pipeline's PostgreSQL roles (README, "Roles"). The names are fixed because the grants applied after every
 * migration name them; roles belong to the cluster, so one set serves every database of it.
 */
export const DATABASE_ROLES = {
  /** Owns the schema: applies the migrations, creates the time partitions and drops them for retention. */
  owner: 'evp_owner',
  /** The collectors' write path: events, rollups and the demographics queue, nothing else. */
  collector: 'evp_collector',
  /** The reporter's reports: SELECT only, in read-only transactions unless a session asks otherwise. */
  reporter: 'evp_reporter',
  /** The demographics indexer (inside the reporter): folds the queue into the read model. */
  indexer: 'evp_indexer',
} as const;

export type DatabaseRole = keyof typeof DATABASE_ROLES;

/** A password per role; a role without one keeps the password it has (none when it is created). */
export type RolePasswords = Partial<Record<DatabaseRole, string>>;
