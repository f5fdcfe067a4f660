import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Client } from 'pg';
import { quoteIdentifier } from '../postgres/postgres.urls';

/** Ids sent per statement: large enough to load millions quickly, small enough to keep each parameter modest. */
const CHUNK = 200_000;

/**
 * Creates `table (event_id text COLLATE "C")` (replacing one of that name) and loads every line of the ledger files
 * into it, duplicates kept, so loss and duplicates can be checked in SQL against `events` without holding millions
 * of ids in memory. Returns the number of lines loaded.
 */
export async function loadLedgerIntoTable(
  client: Client,
  table: string,
  ledgerPaths: readonly string[],
): Promise<number> {
  const name = quoteIdentifier(table);
  await client.query(`DROP TABLE IF EXISTS ${name}`);
  await client.query(`CREATE UNLOGGED TABLE ${name} (event_id text COLLATE "C" NOT NULL)`);
  let chunk: string[] = [];
  let loaded = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await client.query(`INSERT INTO ${name} (event_id) SELECT unnest($1::text[])`, [chunk]);
    loaded += chunk.length;
    chunk = [];
  };
  for (const path of ledgerPaths) {
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.length === 0) continue;
      chunk.push(line);
      if (chunk.length >= CHUNK) await flush();
    }
  }
  await flush();
  // No index: the checks below are hash joins over whole tables, which an index would not speed up.
  await client.query(`ANALYZE ${name}`);
  return loaded;
}

/** What a ledger says against what the database holds. */
export interface LedgerReconciliation {
  /** Lines of the acknowledged ledger (duplicates included). */
  acknowledgedLines: number;
  /** Distinct acknowledged ids: the rows that must exist. */
  acknowledgedIds: number;
  /** Acknowledged ids with no row. */
  lost: number;
  /** Rows of `events`. */
  storedRows: number;
  /** Rows minus distinct stored ids: more than one row for an id. */
  duplicated: number;
  /** Rows whose id was never sent as a valid event (neither acknowledged nor unacknowledged). */
  unexpected: number;
}

/**
 * Loads the acknowledged and unacknowledged ledgers (of one or more emulator runs) into scratch tables of the database `client` is connected to
 * and compares them with `events`. The scratch tables are dropped afterwards.
 */
export async function reconcileLedger(
  client: Client,
  ledger: { acknowledgedPaths: readonly string[]; unacknowledgedPaths: readonly string[] },
  tablePrefix = 'ledger',
): Promise<LedgerReconciliation> {
  const acked = `${tablePrefix}_acked`;
  const unacked = `${tablePrefix}_unacked`;
  try {
    const acknowledgedLines = await loadLedgerIntoTable(client, acked, ledger.acknowledgedPaths);
    await loadLedgerIntoTable(client, unacked, ledger.unacknowledgedPaths);
    const events = await storedIdsRelation(client);
    const { rows } = await client.query<Record<keyof Omit<LedgerReconciliation, 'acknowledgedLines'>, string>>(`
      WITH ids AS (SELECT DISTINCT event_id FROM ${quoteIdentifier(acked)}),
      sent AS (SELECT event_id FROM ids UNION SELECT event_id FROM ${quoteIdentifier(unacked)})
      SELECT
        (SELECT count(*) FROM ids) AS "acknowledgedIds",
        (SELECT count(*) FROM ids WHERE NOT EXISTS (SELECT 1 FROM ${events} e WHERE e.event_id = ids.event_id)) AS lost,
        (SELECT count(*) FROM ${events}) AS "storedRows",
        (SELECT coalesce(sum(copies - 1), 0) FROM (SELECT count(*) AS copies FROM ${events} GROUP BY event_id HAVING count(*) > 1) AS d) AS duplicated,
        (SELECT count(*) FROM ${events} e WHERE NOT EXISTS (SELECT 1 FROM sent WHERE sent.event_id = e.event_id)) AS unexpected`);
    const row = rows[0];
    if (!row) throw new Error('the reconciliation query returned no row');
    return {
      acknowledgedLines,
      acknowledgedIds: Number(row.acknowledgedIds),
      lost: Number(row.lost),
      storedRows: Number(row.storedRows),
      duplicated: Number(row.duplicated),
      unexpected: Number(row.unexpected),
    };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${quoteIdentifier(acked)}, ${quoteIdentifier(unacked)}`);
  }
}

/**
 * Where the stored ids can be read as the publisher sent them: `events`, or the view `events_as_received` where the
 * storage layout keeps ids in a compact form (a native uuid without its `fb-` / `ttk-` prefix) and offers them as sent
 * through that view.
 */
async function storedIdsRelation(client: Client): Promise<string> {
  const { rows } = await client.query<{ view: string | null }>(
    `SELECT to_regclass('events_as_received')::text AS view`,
  );
  return rows[0]?.view ? quoteIdentifier('events_as_received') : 'events';
}
