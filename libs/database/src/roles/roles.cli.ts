/*
 * npm run db:roles -- [--database-url postgresql://postgres@127.0.0.1:5432/evp]
 *
 * Creates the pipeline's roles (evp_owner, evp_collector, evp_reporter, evp_indexer) or brings them back to what they
 * should be, and prepares the database of --database-url for them (see provisionRoles). The URL is a superuser's:
 * default DATABASE_URL, else the machine's server. Passwords come from DB_OWNER_PASSWORD, DB_COLLECTOR_PASSWORD,
 * DB_REPORTER_PASSWORD and DB_INDEXER_PASSWORD, or from the files named by <NAME>_FILE (Docker secrets); a role
 * whose variable is unset keeps its password. Safe to run again at any time: it changes only what differs.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeDatabase } from '../database.options';
import { DATABASE_ROLES, type DatabaseRole, type RolePasswords } from './database.roles';
import { provisionRoles } from './role.provisioner';

const PASSWORD_VARIABLES: Record<DatabaseRole, string> = {
  owner: 'DB_OWNER_PASSWORD',
  collector: 'DB_COLLECTOR_PASSWORD',
  reporter: 'DB_REPORTER_PASSWORD',
  indexer: 'DB_INDEXER_PASSWORD',
};

const print = (line: string) => process.stdout.write(`${line}\n`);
const listed = (names: readonly string[]) => (names.length === 0 ? 'none' : names.join(', '));

function passwordOf(variable: string): string | undefined {
  const file = process.env[`${variable}_FILE`];
  // A secret file usually ends with the newline its editor or `echo` left: not part of the password.
  if (file) return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  const value = process.env[variable];
  return value === undefined || value === '' ? undefined : value;
}

const USAGE = `Usage: npm run db:roles -- [--database-url URL]
  Creates the pipeline's roles (evp_owner, evp_collector, evp_reporter, evp_indexer) or brings them back to what
  they should be, and prepares the database for them. Safe to run again: it changes only what differs.
  --database-url URL   a superuser's (default DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/evp)
  Environment: DB_OWNER_PASSWORD, DB_COLLECTOR_PASSWORD, DB_REPORTER_PASSWORD, DB_INDEXER_PASSWORD (or <NAME>_FILE);
  a role whose variable is unset keeps its password.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      'database-url': {
        type: 'string',
        default: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/evp',
      },
    },
  });
  if (values.help) {
    print(USAGE);
    return;
  }
  const url = values['database-url'];
  const passwords: RolePasswords = {};
  for (const role of Object.keys(PASSWORD_VARIABLES) as DatabaseRole[]) {
    passwords[role] = passwordOf(PASSWORD_VARIABLES[role]);
  }

  print(`provisioning ${Object.values(DATABASE_ROLES).join(', ')} on ${describeDatabase(url)}…`);
  const result = await provisionRoles(url, passwords);
  print(`  created: ${listed(result.created)}`);
  print(`  passwords set: ${listed(result.passwordsSet)}`);
  print(`  handed to ${DATABASE_ROLES.owner}: ${listed(result.ownershipMoved)}`);
  print(`  grant statements: ${result.grants.length === 0 ? 'none, already as declared' : result.grants.length}`);
  for (const statement of result.grants) print(`    ${statement}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`db:roles failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
