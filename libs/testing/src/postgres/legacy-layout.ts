import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MarketingEvent } from '@evp/contracts';
import type { Pool } from 'pg';
import { eventRowOf } from '../events/event-row.fixture';
import { REPO_ROOT } from '../system/build';

const MIGRATIONS = join(REPO_ROOT, 'libs', 'database', 'prisma', 'migrations');
/** The last migration of the layout before partitioning: text ids, the raw event kept whole, one table. */
export const LEGACY_LAYOUT_MIGRATION = '20261122070000_demographics_read_model';

/** An event and the JSON it arrived as (with any fields outside the contract). */
export interface LegacyEvent {
  event: MarketingEvent;
  raw: Record<string, unknown>;
}

/**
 * Brings an empty database to the legacy layout (or to the schema of migration `through`) as `prisma migrate deploy`
 * did then: each migration file run statement by statement, and recorded in Prisma's history with its checksum. For
 * tests of the migrations away from it, and for benchmarks that measure it beside the current layout.
 */
export async function migrateToLegacyLayout(pool: Pool, through: string = LEGACY_LAYOUT_MIGRATION): Promise<void> {
  await pool.query(`CREATE TABLE _prisma_migrations (
    id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL,
    logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0)`);
  const names = readdirSync(MIGRATIONS)
    .filter((name) => /^\d{14}_/.test(name) && name <= through)
    .sort();
  for (const name of names) {
    const sql = readFileSync(join(MIGRATIONS, name, 'migration.sql'), 'utf8');
    for (const statement of sql.split(';').filter((part) => part.replace(/--.*$/gm, '').trim() !== '')) {
      await pool.query(statement);
    }
    await pool.query(
      `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count)
       VALUES ($1, $2, now(), $3, 1)`,
      [randomUUID(), createHash('sha256').update(sql).digest('hex'), name],
    );
  }
}

/** Statement storing legacy rows (`$1`, JSON) and their chains of the demographics model, as users seen once. */
const STORE_LEGACY_SQL = `WITH stored AS (
  INSERT INTO events SELECT * FROM jsonb_populate_recordset(NULL::events, $1::jsonb)
  ON CONFLICT (event_id) DO NOTHING
  RETURNING *
)
INSERT INTO demographic_events (chain, user_id, occurred_at, event_id, prev_at, gender, age, country, city, followers, device)
SELECT source, user_id, occurred_at, event_id, NULL::timestamptz, gender, age, country, city, followers, device FROM stored
UNION ALL
SELECT 'tiktok_top', user_id, occurred_at, event_id, NULL, gender, age, country, city, followers, device FROM stored
WHERE source = 'tiktok' AND funnel_stage = 'top'
ON CONFLICT DO NOTHING`;

/** Rows as the legacy writer stored them: text ids, typed columns and the whole event as received in `raw`. */
export async function storeLegacyEvents(pool: Pool, events: readonly LegacyEvent[]): Promise<void> {
  const storedAt = new Date().toISOString();
  const rows = events.map(({ event, raw }) => {
    const row = eventRowOf(event, { correlationId: `request-${event.eventId}` });
    // The legacy columns are the row's fields in snake case; fields it lacks (and `extra`) are left to NULL.
    const columns = Object.entries(row).map(([field, value]): [string, unknown] => [
      field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      value,
    ]);
    return { ...Object.fromEntries(columns), raw, stored_at: storedAt };
  });
  await pool.query(STORE_LEGACY_SQL, [JSON.stringify(rows)]);
}
